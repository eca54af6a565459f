import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { runTokenCli } from '../../collector/governance/token-cli.js';
import { TokenStore, tokensPath } from '../../collector/governance/tokens.js';
import { scratchDir } from '../helpers/tmp.js';
import { captureIo } from '../helpers/capture-io.js';

describe('factorywatch token', () => {
  it('creates a token printed alone on stdout, lists without secrets, revokes by id or secret', async () => {
    const dir = scratchDir();
    const c = captureIo();
    expect(
      await runTokenCli(
        ['create', '--subject', 'alice', '--role', 'auditor', '--tenant', 'acme', '--data-dir', dir],
        c.io,
      ),
    ).toBe(0);
    const secret = c.out().trimEnd();
    expect(secret).toMatch(/^fw_[A-Za-z0-9_-]{43}$/);
    expect(c.err()).toMatch(/shown once/);
    expect(new TokenStore(tokensPath(dir)).authenticate(secret)).toMatchObject({
      subject: 'alice',
      role: 'auditor',
      tenant: 'acme',
    });

    const list = captureIo();
    expect(await runTokenCli(['list', '--json', '--data-dir', dir], list.io)).toBe(0);
    const listed = JSON.parse(list.out());
    expect(listed).toHaveLength(1);
    expect(list.out()).not.toContain(secret);
    expect(readFileSync(join(dir, 'tokens.json'), 'utf8')).not.toContain(secret);

    const revoke = captureIo();
    expect(await runTokenCli(['token', 'revoke', secret, '--data-dir', dir], revoke.io)).toBe(0);
    expect(revoke.out()).toContain(listed[0].id);
    expect(await runTokenCli(['revoke', listed[0].id, '--data-dir', dir], captureIo().io)).toBe(1);
  });

  it('validates roles against the policy in force and reports usage errors', async () => {
    const dir = scratchDir();
    const bad = captureIo();
    expect(
      await runTokenCli(['create', '--subject', 'x', '--role', 'superuser', '--data-dir', dir], bad.io),
    ).toBe(1);
    expect(bad.err()).toMatch(/Unknown role "superuser".*admin/);
    expect(bad.out()).toBe('');
    expect(await runTokenCli(['create', '--role', 'admin', '--data-dir', dir], captureIo().io)).toBe(2);
    expect(await runTokenCli(['frobnicate'], captureIo().io)).toBe(2);
  });
});
