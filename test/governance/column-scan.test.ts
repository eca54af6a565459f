import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { exactIndexMatch, indexSurelyMatches } from '../../collector/governance/audit/body-index.js';
import { verifyColumns, type ChainStart } from '../../collector/governance/audit/column-verify.js';
import type { AuditColumnScan } from '../../collector/store/audit-store.js';
import { chainHash, eventBody, eventLeafHash, GENESIS_HASH } from '../../collector/governance/audit/event.js';
import {
  CompactRange,
  coveringSubtrees,
  leafHash,
  MerkleTree,
} from '../../collector/governance/audit/merkle.js';
import type { AuditEventRow } from '../../collector/store/audit-store.js';
import { DuckDb } from '../../collector/store/duckdb/connection.js';
import { blobRows } from '../../collector/store/duckdb/audit.js';
import { openDuckDbStore } from '../../collector/store/duckdb/index.js';
import { scratchDir } from '../helpers/tmp.js';

const CHAIN = 'c1';
const EVENTS = 5000;
const SOURCE_WORKER = { url: new URL('./row-check-worker.bootstrap.mjs', import.meta.url) };
const start: ChainStart = { firstSeq: 0, prevHash: GENESIS_HASH, frontier: [] };
const PARTS = ['prev_hash', 'body', 'hash', 'kind', 'actor', 'tenant', 'action', 'resource', 'decision'];

/** A small deterministic generator, so a failure reproduces. */
function random(seed: number) {
  let state = seed;
  return (n: number) => {
    state = (Math.imul(state, 1103515245) + 12345) >>> 0;
    return (state >>> 8) % n;
  };
}

/** A valid chain of `count` events with bodies of varied length. */
function chainRows(count: number): AuditEventRow[] {
  const rows: AuditEventRow[] = [];
  let prev = GENESIS_HASH;
  for (let seq = 0; seq < count; seq++) {
    const input = {
      kind: 'api_request' as const,
      actor: `svc-${seq % 13}`,
      tenant: 'acme',
      action: 'GET /v1/stats',
      resource: '/v1/stats',
      decision: seq % 5 ? 'allow' : 'deny',
      requestId: 'r'.repeat(seq % 37),
    };
    const ts = 1_700_000_000_000 + seq;
    const body = eventBody(CHAIN, seq, ts, input);
    const hash = chainHash(prev, body);
    rows.push({ chainId: CHAIN, seq, ts, ...input, body, prevHash: prev, hash });
    prev = hash;
  }
  return rows;
}

describe('the DuckDB column scan', () => {
  let path = '';
  beforeAll(async () => {
    path = join(scratchDir(), 'store.duckdb');
    const store = await openDuckDbStore(path);
    await store.audit.appendEvents(chainRows(EVENTS));
    await store.close();
    // Moved, grown, shrunk and tiny (stored inline, ≤ 12 bytes) strings among the untouched ones.
    const db = await DuckDb.open(path);
    await db.run(`UPDATE audit_events SET body = body || 'xyz' WHERE seq % 97 = 3`);
    await db.run(`UPDATE audit_events SET actor = 'mallory' WHERE seq % 101 = 4`);
    await db.run(
      `UPDATE audit_events SET prev_hash = '', body = '{}', hash = '' WHERE seq IN (10, 11, 2500)`,
    );
    await db.run(`UPDATE audit_events SET body = '' WHERE seq = 12`);
    await db.close();
  });

  it('copies exactly each row’s stored bytes, for any range of rows of a chunk', async () => {
    const db = await DuckDb.open(path);
    const stored = await db.all<Record<string, string | number>>(
      `SELECT seq, ${PARTS.join(', ')} FROM audit_events WHERE chain_id = ?`,
      [CHAIN],
    );
    await db.close();
    const bySeq = new Map(stored.map((r) => [Number(r.seq), r]));
    const store = await openDuckDbStore(path);
    const audit = store.audit as typeof store.audit & AuditColumnScan;
    try {
      for (const indexColumns of [true, false]) {
        const parts = indexColumns ? PARTS : PARTS.slice(0, 3);
        const rowBytes = (seq: number) =>
          Buffer.from(parts.map((p) => String(bySeq.get(seq)![p])).join(''), 'utf8');
        const pick = random(indexColumns ? 1 : 2);
        let rows = 0;
        await audit.scanChainColumns(
          CHAIN,
          (chunk) => {
            const n = chunk.rowCount;
            for (let r = 0; r < n; r++) {
              const expected = rowBytes(chunk.seq(r));
              expect(chunk.rowLength(r)).toBe(expected.length);
              let total = 0;
              for (let p = 0; p < PARTS.length; p++) total += chunk.partLength(p, r);
              expect(total).toBe(expected.length);
            }
            // The whole chunk, and random ranges of it, at an odd offset.
            const ranges = [[0, n]];
            for (let k = 0; k < 20; k++) {
              const from = pick(n);
              ranges.push([from, from + 1 + pick(n - from)]);
            }
            for (const [from, to] of ranges) {
              const expected = Buffer.concat(
                Array.from({ length: to! - from! }, (_, i) => rowBytes(chunk.seq(from! + i))),
              );
              const target = new Uint8Array(expected.length + 10);
              chunk.copyRows(from!, to!, target, 3);
              expect(Buffer.from(target.subarray(3, 3 + expected.length)).equals(expected)).toBe(true);
              expect(target.subarray(0, 3).every((b) => b === 0)).toBe(true);
              expect(target.subarray(3 + expected.length).every((b) => b === 0)).toBe(true);
            }
            rows += n;
            return true;
          },
          { indexColumns },
        );
        expect(rows).toBe(EVENTS);
      }
    } finally {
      await store.close();
    }
  });
});

describe('blobRows without the bindings or the vector’s string_t view', () => {
  it('falls back to one read per row, with the same bytes and lengths', () => {
    const items = ['a', '', 'bcdefghijklmnop', null, 'xyz'].map((t) => (t === null ? null : Buffer.from(t)));
    const reads: number[] = [];
    const rows = blobRows(
      {
        getItemBytes: (row: number) => {
          reads.push(row);
          return items[row] ?? null;
        },
      },
      items.length,
    );
    expect(items.map((_, row) => rows.length(row))).toEqual([1, 0, 15, -1, 3]);
    const target = new Uint8Array(20);
    rows.copyRows(1, 5, target, 2);
    expect(Buffer.from(target.subarray(2, 20)).toString()).toBe('bcdefghijklmnopxyz');
    expect(reads.filter((row) => row === 2)).toHaveLength(1); // each row read once
  });
});

describe('verifyColumns links', () => {
  /** A stored valid chain whose events from `from` on are re-chained from a foreign hash. */
  async function rechainedFrom(from: number | undefined) {
    const rows = chainRows(300);
    if (from !== undefined) {
      let prev = 'f'.repeat(64);
      for (const row of rows.slice(from)) {
        row.prevHash = prev;
        row.hash = chainHash(prev, row.body);
        prev = row.hash;
      }
    }
    const path = join(scratchDir(), 'store.duckdb');
    const store = await openDuckDbStore(path);
    await store.audit.appendEvents(rows);
    return store;
  }

  it('catches a broken link at a batch boundary and inside a batch, on workers and in-thread', async () => {
    // Every row's own hash is right; only the link into `from` is broken. No checkpoints, so
    // nothing but the link check can notice.
    for (const from of [undefined, 128, 150, 299]) {
      const store = await rechainedFrom(from);
      try {
        for (const workers of [SOURCE_WORKER, undefined])
          for (const deep of [false, true]) {
            const events = await verifyColumns(
              store.audit as typeof store.audit & AuditColumnScan,
              CHAIN,
              start,
              new Map(),
              deep,
              {
                workers,
                workerCount: 2,
                batchRows: 64,
              },
            );
            expect(events, `from ${from}, deep ${deep}, workers ${!!workers}`).toBe(
              from === undefined ? 300 : undefined,
            );
          }
      } finally {
        await store.close();
      }
    }
  });
});

describe('verifyColumns batches', () => {
  it('checks checkpoint heads and roots inside and at the ends of batches of any alignment', async () => {
    const rows = chainRows(300);
    const store = await openDuckDbStore(join(scratchDir(), 'store.duckdb'));
    await store.audit.appendEvents(rows);
    const tree = new MerkleTree();
    for (const row of rows) tree.appendLeafHash(eventLeafHash(row.hash));
    const sizes = [1, 37, 100, 128, 201, 300];
    /** Checkpoints at `sizes`; the one at `bad` with a wrong root or head. */
    const checkpoints = (bad?: number, wrong?: 'root' | 'head') =>
      new Map(
        sizes.map((size) => [
          size,
          [
            {
              chainId: CHAIN,
              treeSize: size,
              ts: 0,
              rootHash: size === bad && wrong === 'root' ? 'f'.repeat(64) : tree.root(size).toString('hex'),
              headHash: size === bad && wrong === 'head' ? rows[0]!.hash : rows[size - 1]!.hash,
              keyId: '',
              signature: '',
            },
          ],
        ]),
      );
    try {
      // 5,000 bytes: batches of ~8 rows that start anywhere; 64 rows: aligned batches.
      for (const batchBytes of [5_000, undefined])
        for (const workers of [SOURCE_WORKER, undefined]) {
          const verify = (deep: boolean, bySize: ReturnType<typeof checkpoints>) =>
            verifyColumns(store.audit as typeof store.audit & AuditColumnScan, CHAIN, start, bySize, deep, {
              workers,
              workerCount: 2,
              batchRows: 64,
              batchBytes,
            });
          const setup = `batchBytes ${batchBytes}, workers ${!!workers}`;
          expect(await verify(true, checkpoints()), setup).toBe(300);
          for (const bad of [37, 201]) {
            expect(await verify(true, checkpoints(bad, 'root')), `${setup}, root at ${bad}`).toBeUndefined();
            expect(await verify(false, checkpoints(bad, 'root')), `${setup}, shallow`).toBe(300);
            expect(await verify(false, checkpoints(bad, 'head')), `${setup}, head at ${bad}`).toBeUndefined();
          }
        }
    } finally {
      await store.close();
    }
  });
});

describe('coveringSubtrees', () => {
  it('gives, appended in order, the tree’s root at every cut and at the end', () => {
    const pick = random(7);
    const tree = new MerkleTree();
    for (let i = 0; i < 700; i++) tree.appendLeafHash(leafHash(Buffer.from([i & 255, i >> 8])));
    for (let trial = 0; trial < 60; trial++) {
      const first = trial < 5 ? [0, 1, 64, 255, 256][trial]! : pick(400);
      const count = 1 + pick(700 - first);
      const cuts = [...new Set(Array.from({ length: pick(4) }, () => 1 + pick(count)))]
        .filter((c) => c < count)
        .sort((a, b) => a - b);
      const leaves = new Uint8Array(count * 32);
      for (let i = 0; i < count; i++) leaves.set(tree.leaf(first + i), i * 32);
      const { hashes, levels } = coveringSubtrees(leaves, first, count, cuts);
      const range = new CompactRange(
        first,
        tree.frontier(first).map((n) => Buffer.from(n.hash, 'hex')),
      );
      const roots = new Map<number, string>();
      for (let k = 0; k < levels.length; k++) {
        range.appendSubtree(hashes.subarray(k * 32, k * 32 + 32), levels[k]!);
        roots.set(range.size, range.root().toString('hex'));
      }
      expect(range.size).toBe(first + count);
      for (const size of [...cuts.map((c) => first + c), first + count])
        expect(roots.get(size), `first ${first}, count ${count}, cuts ${cuts}`).toBe(
          tree.root(size).toString('hex'),
        );
    }
  });
});

describe('indexSurelyMatches', () => {
  const columnsOf = (row: AuditEventRow) => [
    row.kind,
    row.actor,
    row.tenant,
    row.action,
    row.resource,
    row.decision,
  ];
  /** Body and columns in one buffer at byte offset `shift` (every alignment of a 4-byte word). */
  function check(body: string, columns: string[], shift: number): boolean {
    const texts = [body, ...columns].map((t) => Buffer.from(t, 'utf8'));
    const buffer = new Uint8Array(shift + texts.reduce((n, t) => n + t.length, 0) + 8);
    const bounds = new Int32Array(7);
    let at = shift;
    texts.forEach((t, k) => {
      buffer.set(t, at);
      if (k > 0) bounds[k - 1] = at;
      at += t.length;
    });
    bounds[6] = at;
    const bytes = buffer.subarray(0, at);
    return indexSurelyMatches(bytes, shift, shift + texts[0]!.length, 5, 77, bounds, 0);
  }

  it('accepts canonical bodies at every alignment, and never where JSON.parse disagrees', () => {
    const pick = random(3);
    const pieces = [
      '"',
      '\\',
      'a',
      '}',
      '{',
      ',',
      ':',
      '0',
      '-',
      ' ',
      '\x7f',
      '\x1f',
      'é',
      'true',
      '"actor":"x",',
    ];
    let accepted = 0;
    for (let trial = 0; trial < 4000; trial++) {
      const input = {
        kind: 'api_request' as const,
        actor: 'abcdefgh'.slice(0, pick(9)),
        tenant: 'acme',
        action: 'GET /v1/x',
        resource: '/v1/x',
        decision: 'allow',
        status: 200,
        userAgent: 'x'.repeat(pick(9)),
      };
      let body = eventBody(CHAIN, 5, 77, input);
      const row: AuditEventRow = {
        chainId: CHAIN,
        seq: 5,
        ts: 77,
        ...input,
        body,
        prevHash: '',
        hash: '',
      };
      const shift = trial % 4;
      if (trial % 2 === 0) {
        expect(check(body, columnsOf(row), shift), body).toBe(true);
        continue;
      }
      // Mutated bodies and columns: whatever the byte check accepts, the exact check must too.
      for (let m = 1 + pick(3); m > 0; m--) {
        const p = pick(body.length);
        const piece = pieces[pick(pieces.length)]!;
        body = body.slice(0, p) + piece + body.slice(p + pick(2));
      }
      const columns = columnsOf(row);
      if (pick(4) === 0) columns[pick(6)] = 'x';
      if (check(body, columns, shift)) {
        accepted++;
        const [kind, actor, tenant, action, resource, decision] = columns as [
          string,
          string,
          string,
          string,
          string,
          string,
        ];
        expect(exactIndexMatch({ ...row, body, kind, actor, tenant, action, resource, decision }), body).toBe(
          true,
        );
      }
    }
    expect(accepted).toBeGreaterThan(50); // the mutations left some bodies the byte check judges
  });
});
