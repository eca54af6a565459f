import { readFileSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { TokenStore, hashSecret, tokensPath } from '../../collector/governance/tokens.js';
import { scratchDir } from '../helpers/tmp.js';

describe('token store', () => {
  it('stores only SHA-256 hashes, mode 0600, and authenticates the secret', () => {
    const path = tokensPath(scratchDir());
    const store = new TokenStore(path);
    const { secret, token } = store.create({ subject: 'alice', role: 'admin', tenant: 'acme' });
    expect(secret).toMatch(/^fw_[A-Za-z0-9_-]{43}$/);
    const onDisk = readFileSync(path, 'utf8');
    expect(onDisk).not.toContain(secret);
    expect(onDisk).not.toContain(secret.slice(3));
    expect(onDisk).toContain(hashSecret(secret));
    expect(statSync(path).mode & 0o777).toBe(0o600);
    expect(store.authenticate(secret)).toEqual({
      subject: 'alice',
      role: 'admin',
      tenant: 'acme',
      tokenId: token.id,
    });
    expect(store.authenticate(`${secret.slice(0, -1)}${secret.endsWith('A') ? 'B' : 'A'}`)).toBeUndefined();
    expect(store.authenticate('not-a-token')).toBeUndefined();
  });

  it('makes distinct high-entropy tokens', () => {
    const store = new TokenStore(tokensPath(scratchDir()));
    const secrets = new Set(
      Array.from({ length: 50 }, () => store.create({ subject: 's', role: 'viewer' }).secret),
    );
    expect(secrets.size).toBe(50);
  });

  it('picks up tokens created by another process without a restart, checking at most once per interval', () => {
    const path = tokensPath(scratchDir());
    let now = 1_000_000;
    const running = new TokenStore(path, 1000, () => now);
    const cli = new TokenStore(path);
    const { secret } = cli.create({ subject: 'svc', role: 'service', tenant: 'acme' });
    now += 10;
    expect(running.authenticate(secret)).toBeUndefined(); // within the interval: not re-checked yet
    now += 1000;
    expect(running.authenticate(secret)?.subject).toBe('svc');
    cli.revoke(secret);
    now += 1001;
    expect(running.authenticate(secret)).toBeUndefined();
  });

  it('revokes by id, keeps the record, and never lists hashes', () => {
    const store = new TokenStore(tokensPath(scratchDir()));
    const a = store.create({ subject: 'a', role: 'viewer' });
    const b = store.create({ subject: 'b', role: 'viewer' });
    expect(store.revoke(a.token.id)?.id).toBe(a.token.id);
    expect(store.revoke(a.token.id)).toBeUndefined();
    expect(store.authenticate(a.secret)).toBeUndefined();
    expect(store.authenticate(b.secret)?.subject).toBe('b');
    const listed = store.list();
    expect(listed.map((t) => [t.subject, t.revokedAt === null])).toEqual([
      ['a', false],
      ['b', true],
    ]);
    expect(JSON.stringify(listed)).not.toMatch(/[0-9a-f]{64}/);
  });

  it('keeps the last good tokens when the file is corrupted by a hand edit', () => {
    const dir = scratchDir();
    const path = join(dir, 'tokens.json');
    let now = 0;
    const store = new TokenStore(path, 1000, () => now);
    const { secret } = new TokenStore(path).create({ subject: 'a', role: 'admin' });
    now += 2000;
    expect(store.authenticate(secret)).toBeDefined();
    writeFileSync(path, '{"version":1,"tokens":[{"id":');
    now += 2000;
    expect(store.authenticate(secret)?.subject).toBe('a');
    expect(store.lastReloadError?.message).toMatch(/not valid JSON/);
  });

  it('rejects bad subjects, roles and tenants', () => {
    const store = new TokenStore(tokensPath(scratchDir()));
    expect(() => store.create({ subject: 'a b', role: 'admin' })).toThrow(/subject/);
    expect(() => store.create({ subject: 'a', role: 'admin', tenant: 'x/y' })).toThrow(/tenant/);
  });
});
