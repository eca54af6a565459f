import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { chainHash } from '../../collector/governance/audit/event.js';
import { loadOrCreateSigner, publicKeysFrom } from '../../collector/governance/audit/signing-key.js';
import { AuditTrail } from '../../collector/governance/audit/trail.js';
import { verifyChain, type VerifyReport } from '../../collector/governance/audit/verify.js';
import { DuckDb } from '../../collector/store/duckdb/connection.js';
import { openDuckDbStore } from '../../collector/store/duckdb/index.js';
import { scratchDir } from '../helpers/tmp.js';

const CHAIN = 'c1';

/** A stored trail of 20 events with checkpoints at 10 and 20; returns how to tamper and verify it. */
async function storedTrail() {
  const dir = scratchDir();
  const path = join(dir, 'store.duckdb');
  const signer = loadOrCreateSigner(dir);
  const keys = publicKeysFrom([signer.publicKeyPem]);
  const store = await openDuckDbStore(path);
  const trail = await AuditTrail.open({ store: store.audit, chainId: CHAIN, signer });
  for (let i = 0; i < 20; i++) {
    trail.append({
      kind: 'api_request',
      actor: i % 2 ? 'alice' : 'bob',
      action: 'GET /v1/stats',
      decision: 'allow',
      status: 200,
    });
    if (i === 9) await trail.checkpoint();
  }
  await trail.close();
  await store.close();
  return {
    async sql(...statements: string[]) {
      const db = await DuckDb.open(path);
      for (const s of statements) await db.run(s);
      await db.close();
    },
    async rows() {
      const db = await DuckDb.open(path);
      const rows = await db.all<{ seq: number; body: string; prev_hash: string; hash: string }>(
        'SELECT seq, body, prev_hash, hash FROM audit_events ORDER BY seq',
      );
      await db.close();
      return rows;
    },
    /** Verifies; with `scanOnly`, fails if the exact ordered pass (page reads) runs. */
    async verify(scanOnly = false): Promise<VerifyReport> {
      const s = await openDuckDbStore(path);
      try {
        const source = scanOnly
          ? Object.assign(Object.create(s.audit) as typeof s.audit, {
              eventsInRange: () => Promise.reject(new Error('the ordered pass ran')),
            })
          : s.audit;
        return await verifyChain(source, CHAIN, keys);
      } finally {
        await s.close();
      }
    },
  };
}

describe('audit trail tamper detection', () => {
  it('verifies an intact trail in one column scan, without the ordered page reads', async () => {
    const t = await storedTrail();
    const report = await t.verify(true);
    expect(report).toMatchObject({
      ok: true,
      events: 20,
      checkpoints: 2,
      treeSize: 20,
      firstSeq: 0,
      lastSeq: 19,
    });
  });

  it('names a modified field', async () => {
    const t = await storedTrail();
    await t.sql(
      `UPDATE audit_events SET body = replace(body, '"actor":"alice"', '"actor":"mallory"') WHERE seq = 5`,
    );
    expect((await t.verify()).damage).toMatchObject({ seq: 5, kind: 'modified' });
  });

  it('names a deleted event, with or without renumbering', async () => {
    const t = await storedTrail();
    await t.sql('DELETE FROM audit_events WHERE seq = 7');
    expect((await t.verify()).damage).toMatchObject({ seq: 7, kind: 'deleted' });
    const r = await storedTrail();
    await r.sql(
      'DELETE FROM audit_events WHERE seq = 7',
      'UPDATE audit_events SET seq = seq - 1 WHERE seq > 7',
    );
    expect((await r.verify()).damage).toMatchObject({ seq: 7, kind: 'deleted' });
  });

  it('names an inserted event, forged with a valid hash or not', async () => {
    for (const validHash of [true, false]) {
      const t = await storedTrail();
      const rows = await t.rows();
      const prev = rows[5]!.hash;
      const body = rows[6]!.body.replace('"actor":"bob"', '"actor":"mallory"');
      const hash = validHash ? chainHash(prev, body) : 'f'.repeat(64);
      await t.sql(
        'UPDATE audit_events SET seq = seq + 1 WHERE seq >= 6',
        // A careful forger keeps the searchable columns consistent with the forged body.
        `INSERT INTO audit_events VALUES ('${CHAIN}', 6, ${JSON.parse(body).ts}, 'api_request', 'mallory', '', 'GET /v1/stats', '', 'allow', '${body}', '${prev}', '${hash}')`,
      );
      expect((await t.verify()).damage, `valid hash: ${validHash}`).toMatchObject({
        seq: 6,
        kind: 'inserted',
      });
    }
  });

  it('names an index column edited without touching the hashed body', async () => {
    const t = await storedTrail();
    await t.sql(`UPDATE audit_events SET actor = 'mallory' WHERE seq = 5`);
    expect((await t.verify()).damage).toMatchObject({ seq: 5, kind: 'modified' });
  });

  it('names two swapped events', async () => {
    const t = await storedTrail();
    await t.sql('UPDATE audit_events SET seq = CASE WHEN seq = 12 THEN 13 ELSE 12 END WHERE seq IN (12, 13)');
    expect((await t.verify()).damage).toMatchObject({ seq: 12, kind: 'reordered' });
  });

  it('names a truncated tail', async () => {
    const t = await storedTrail();
    await t.sql('DELETE FROM audit_events WHERE seq >= 15');
    expect((await t.verify()).damage).toMatchObject({ seq: 15, kind: 'truncated' });
  });

  it('names a replaced checkpoint signature', async () => {
    const t = await storedTrail();
    await t.sql(
      'UPDATE audit_checkpoints SET signature = (SELECT signature FROM audit_checkpoints WHERE tree_size = 20) WHERE tree_size = 10',
    );
    expect((await t.verify()).damage).toMatchObject({ seq: 9, kind: 'bad_checkpoint_signature' });
  });

  it('catches a rewrite that recomputed every later hash, through the signed checkpoints', async () => {
    const t = await storedTrail();
    const rows = await t.rows();
    let prev = rows[11]!.hash;
    const statements: string[] = [];
    for (const row of rows.slice(12)) {
      const body = row.body.replace('"actor":"alice"', '"actor":"mallory"');
      const hash = chainHash(prev, body);
      statements.push(
        `UPDATE audit_events SET actor = '${JSON.parse(body).actor}', body = '${body}', prev_hash = '${prev}', hash = '${hash}' WHERE seq = ${row.seq}`,
      );
      prev = hash;
    }
    await t.sql(...statements);
    expect((await t.verify()).damage).toMatchObject({ seq: 10, kind: 'checkpoint_mismatch' });
  });
});
