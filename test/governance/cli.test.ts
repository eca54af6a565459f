import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { runAuditCli } from '../../collector/governance/audit-cli.js';
import { loadOrCreateSigner, publicKeysFrom } from '../../collector/governance/audit/signing-key.js';
import { AuditTrail } from '../../collector/governance/audit/trail.js';
import { verifyChain } from '../../collector/governance/audit/verify.js';
import { chainIdFor } from '../../collector/governance/core.js';
import { runPolicyCli } from '../../collector/governance/policy-cli.js';
import { DuckDb } from '../../collector/store/duckdb/connection.js';
import { openDuckDbStore } from '../../collector/store/duckdb/index.js';
import { scratchDir } from '../helpers/tmp.js';
import { captureIo } from '../helpers/capture-io.js';
import { defaultPolicyText } from './fixtures.js';

/** A stopped collector's data dir with a 30-event trail. */
async function dataDirWithTrail(events = 30, now?: () => number) {
  const dir = scratchDir();
  const store = await openDuckDbStore(join(dir, 'factorywatch.duckdb'));
  const signer = loadOrCreateSigner(dir);
  const trail = await AuditTrail.open({
    store: store.audit,
    chainId: chainIdFor(dir, ''),
    signer,
    ...(now ? { now } : {}),
  });
  for (let i = 0; i < events; i++)
    trail.append({
      kind: 'api_request',
      actor: 'alice',
      action: 'GET /v1/stats',
      decision: 'allow',
      status: 200,
    });
  await trail.close();
  await store.close();
  return dir;
}
const offline = ['--url', 'http://127.0.0.1:59999', '--data-dir'];

describe('factorywatch audit (stopped collector)', () => {
  it('verifies the data dir when no collector answers, and exits 1 naming the first bad seq', async () => {
    const dir = await dataDirWithTrail();
    const ok = captureIo();
    expect(await runAuditCli(['verify', ...offline, dir], ok.io)).toBe(0);
    expect(ok.out()).toMatch(/^ok: chain fw-[0-9a-f]+: 30 events verified/);
    expect(ok.err()).toMatch(/no collector/);
    const db = await DuckDb.open(join(dir, 'factorywatch.duckdb'));
    await db.run('DELETE FROM audit_events WHERE seq = 17');
    await db.close();
    const bad = captureIo();
    expect(await runAuditCli(['verify', '--offline', '--data-dir', dir], bad.io)).toBe(1);
    expect(bad.out()).toMatch(/first bad sequence number 17 \(deleted\)/);
  });

  it('exports NDJSON, checkpoints and the public key, verifiable offline; a doctored export fails', async () => {
    const dir = await dataDirWithTrail();
    const out = join(scratchDir(), 'export');
    const exp = captureIo();
    expect(await runAuditCli(['export', '--out', out, ...offline, dir], exp.io)).toBe(0);
    const file = exp.out().trim();
    const check = captureIo();
    expect(
      await runAuditCli(
        ['verify', '--export', file, '--public-key', join(out, 'audit-signing-key.pub.pem'), '--json'],
        check.io,
      ),
    ).toBe(0);
    expect(JSON.parse(check.out())).toMatchObject({ ok: true, events: 30 });
    const { readFileSync } = await import('node:fs');
    const lines = readFileSync(file, 'utf8').split('\n');
    const original = lines.join('\n');
    const pem = join(out, 'audit-signing-key.pub.pem');
    // Only the searchable column: the hashed body is intact, the index lies.
    lines[5] = lines[5]!.replace('"actor":"alice"', '"actor":"mallo"');
    writeFileSync(file, lines.join('\n'));
    const column = captureIo();
    expect(await runAuditCli(['verify', '--export', file, '--public-key', pem], column.io)).toBe(1);
    expect(column.out()).toMatch(/first bad sequence number 4 \(modified\): .*index columns/);
    // The hashed body itself.
    writeFileSync(
      file,
      original
        .split('\n')
        .map((l, i) => (i === 8 ? l.replaceAll('alice', 'mallo') : l))
        .join('\n'),
    );
    const body = captureIo();
    expect(await runAuditCli(['verify', '--export', file, '--public-key', pem], body.io)).toBe(1);
    expect(body.out()).toMatch(/first bad sequence number 7 \(modified\)/);
  });
});

describe('retention', () => {
  it('cuts old events behind a signed retention cut and still verifies and proves the rest', async () => {
    let t = Date.UTC(2025, 0, 1);
    const dir = await dataDirWithTrail(40, () => (t += 86_400_000));
    const store = await openDuckDbStore(join(dir, 'factorywatch.duckdb'));
    const signer = loadOrCreateSigner(dir);
    const keys = publicKeysFrom([signer.publicKeyPem]);
    const trail = await AuditTrail.open({
      store: store.audit,
      chainId: chainIdFor(dir, ''),
      signer,
      now: () => (t += 1000),
    });
    const rootBefore = trail.latestCheckpoint!.rootHash;
    const deleted = await trail.cutBefore(Date.UTC(2025, 0, 20, 12));
    expect(deleted).toBe(19);
    expect(await store.audit.seqRange(trail.chainId)).toEqual({ first: 19, last: 40 });
    expect(await verifyChain(store.audit, trail.chainId, keys)).toMatchObject({
      ok: true,
      firstSeq: 19,
      events: 22,
    });
    const proof = await trail.inclusionProof(25);
    expect(proof.proof.length).toBeGreaterThan(0);
    // The tree still has the same root for the old size: consistency with the pre-cut checkpoint holds.
    expect(trail.consistencyProof(30, 41).length).toBeGreaterThan(0);
    void rootBefore;
    await trail.close();
    await store.close();
    // Reopening rebuilds the tree from the cut's frontier.
    const again = await openDuckDbStore(join(dir, 'factorywatch.duckdb'));
    const reopened = await AuditTrail.open({ store: again.audit, chainId: chainIdFor(dir, ''), signer });
    expect(reopened.size).toBe(41);
    // Deleting beyond the signed cut is damage.
    await again.close();
    const db = await DuckDb.open(join(dir, 'factorywatch.duckdb'));
    await db.run('DELETE FROM audit_events WHERE seq < 22');
    await db.close();
    const s = await openDuckDbStore(join(dir, 'factorywatch.duckdb'));
    expect((await verifyChain(s.audit, chainIdFor(dir, ''), keys)).damage).toMatchObject({
      seq: 19,
      kind: 'deleted',
    });
    await s.close();
  });
});

describe('factorywatch policy check', () => {
  it('accepts the default policy and lists every problem of a bad one', async () => {
    const dir = scratchDir();
    const good = join(dir, 'good.csv');
    writeFileSync(good, defaultPolicyText);
    const ok = captureIo();
    expect(await runPolicyCli(['check', good], ok.io)).toBe(0);
    expect(ok.out()).toMatch(/^ok: .*roles admin, auditor, data-scientist, service, sre, viewer/);
    const bad = join(dir, 'bad.csv');
    writeFileSync(bad, 'p, viewer, *, stats, read, allow\np, viewer, *, gpus, read, allow\n');
    const res = captureIo();
    expect(await runPolicyCli(['policy', 'check', bad, '--json'], res.io)).toBe(1);
    const report = JSON.parse(res.out());
    expect(report.ok).toBe(false);
    const paths = report.problems.map((p: { path: string }) => p.path);
    expect(paths).toContain('/rules/1');
    expect(paths).toContain('/routes/PUT /v1/policies');
    expect(paths).toContain('/admins');
    expect(await runPolicyCli(['check'], captureIo().io)).toBe(2);
  });
});
