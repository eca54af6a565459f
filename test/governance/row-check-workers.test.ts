import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { verifyColumns, type ChainStart } from '../../collector/governance/audit/column-verify.js';
import type { AuditColumnScan } from '../../collector/store/audit-store.js';
import { GENESIS_HASH } from '../../collector/governance/audit/event.js';
import { compiledWorkerSpec } from '../../collector/governance/audit/row-check-pool.js';
import { loadOrCreateSigner } from '../../collector/governance/audit/signing-key.js';
import { AuditTrail } from '../../collector/governance/audit/trail.js';
import type { AuditCheckpointRow } from '../../collector/store/audit-store.js';
import { DuckDb } from '../../collector/store/duckdb/connection.js';
import { openDuckDbStore } from '../../collector/store/duckdb/index.js';
import { scratchDir } from '../helpers/tmp.js';

const CHAIN = 'c1';
const EVENTS = 300;
/** The worker from source: plain Node cannot run .ts, so a bootstrap loads it through tsx. */
const SOURCE_WORKER = { url: new URL('./row-check-worker.bootstrap.mjs', import.meta.url) };
const start: ChainStart = { firstSeq: 0, prevHash: GENESIS_HASH, frontier: [] };

describe('row checks on worker threads', () => {
  let path = '';
  beforeAll(async () => {
    const dir = scratchDir();
    path = join(dir, 'store.duckdb');
    const store = await openDuckDbStore(path);
    const trail = await AuditTrail.open({
      store: store.audit,
      chainId: CHAIN,
      signer: loadOrCreateSigner(dir),
    });
    for (let i = 0; i < EVENTS; i++) {
      trail.append({
        kind: i % 50 === 7 ? 'policy_change' : 'api_request',
        actor: i % 3 ? 'alice' : 'zoë', // non-ASCII: the worker's exact index check
        action: 'GET /v1/stats',
        decision: 'allow',
        status: 200,
        ...(i % 50 === 7 ? { details: { old: 'a', new: 'b' } } : {}),
      });
      if (i === 99 || i === 127 || i === 200) await trail.checkpoint(); // inside and at the end of a batch
    }
    await trail.close();
    await store.close();
  });

  /** verifyColumns over the stored chain, with the given worker set-up. */
  async function check(deep: boolean, workers: typeof SOURCE_WORKER | undefined, tamper?: string) {
    if (tamper) {
      const db = await DuckDb.open(path);
      await db.run(tamper);
      await db.close();
    }
    const store = await openDuckDbStore(path);
    try {
      const checkpoints = await store.audit.checkpoints(CHAIN);
      const bySize = new Map<number, AuditCheckpointRow[]>();
      for (const c of checkpoints) bySize.set(c.treeSize, [...(bySize.get(c.treeSize) ?? []), c]);
      return await verifyColumns(
        store.audit as typeof store.audit & AuditColumnScan,
        CHAIN,
        start,
        bySize,
        deep,
        {
          workers,
          workerCount: 2,
          batchRows: 64, // several batches on each worker, and a final partial one
        },
      );
    } finally {
      await store.close();
    }
  }

  it('passes an intact chain, shallow and deep, like the in-thread check', async () => {
    for (const deep of [false, true]) {
      expect(await check(deep, SOURCE_WORKER)).toBe(EVENTS);
      expect(await check(deep, undefined)).toBe(EVENTS);
    }
  });

  describe('after tampering', () => {
    it('flags a modified body (own hash, checked on a worker)', async () => {
      const edit = `UPDATE audit_events SET body = replace(body, '"status":200', '"status":201') WHERE seq = 150`;
      expect(await check(false, SOURCE_WORKER, edit)).toBeUndefined();
      expect(await check(true, SOURCE_WORKER)).toBeUndefined();
      expect(await check(true, undefined)).toBeUndefined();
    });

    it('flags an edited index column in deep mode only', async () => {
      const revert = `UPDATE audit_events SET body = replace(body, '"status":201', '"status":200') WHERE seq = 150`;
      expect(await check(true, SOURCE_WORKER, revert)).toBe(EVENTS);
      const edit = `UPDATE audit_events SET actor = 'mallory' WHERE seq = 250`;
      expect(await check(false, SOURCE_WORKER, edit)).toBe(EVENTS);
      expect(await check(true, SOURCE_WORKER)).toBeUndefined();
    });
  });

  it('finds the compiled worker only beside compiled code', () => {
    // Under vitest this module is the .ts source: no row-check-worker.js beside it, so the
    // default is in-thread; dist/ has the .js (exercised by bench audit-verify-1m).
    expect(compiledWorkerSpec()).toBeUndefined();
  });
});
