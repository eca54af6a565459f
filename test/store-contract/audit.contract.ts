import { afterEach, describe, expect, it } from 'vitest';
import type { AuditEventRow } from '../../collector/store/audit-store.js';
import type { Store } from '../../collector/store/store.js';
import type { OpenStore } from './contract.js';

function row(seq: number, over: Partial<AuditEventRow> = {}): AuditEventRow {
  return {
    chainId: 'c1',
    seq,
    ts: 1000 + seq,
    kind: 'api_request',
    actor: seq % 2 ? 'alice' : 'bob',
    tenant: 'acme',
    action: 'GET /v1/stats',
    resource: '/v1/stats',
    decision: 'allow',
    body: `{"seq":${seq}}`,
    prevHash: '0'.repeat(64),
    hash: String(seq).padStart(64, '0'),
    ...over,
  };
}

export function describeAuditContract(open: OpenStore): void {
  describe('audit store', () => {
    let store: Store | undefined;
    afterEach(async () => {
      await store?.close();
      store = undefined;
    });

    it('appends, reads ranges in seq order and reports the head', async () => {
      store = await open();
      expect(await store.audit.seqRange('c1')).toBeUndefined();
      await store.audit.appendEvents([row(0), row(1), row(2)]);
      await store.audit.appendEvents([row(3), row(0, { chainId: 'c2' })]);
      expect(await store.audit.seqRange('c1')).toEqual({ first: 0, last: 3 });
      expect((await store.audit.eventsInRange('c1', 1, 3)).map((r) => r.seq)).toEqual([1, 2]);
      expect(await store.audit.hashesInRange('c1', 3, 10)).toEqual([{ seq: 3, hash: row(3).hash }]);
      expect(await store.audit.lastEvent('c1')).toEqual(row(3));
      expect(await store.audit.chains()).toEqual(['c1', 'c2']);
    });

    it('filters with bound parameters, pages by cursor, deletes a prefix', async () => {
      store = await open();
      await store.audit.appendEvents([0, 1, 2, 3, 4, 5].map((s) => row(s)));
      const alice = await store.audit.queryEvents({ chainId: 'c1', actor: 'alice', limit: 2 });
      expect(alice.map((r) => r.seq)).toEqual([1, 3]);
      expect(
        (await store.audit.queryEvents({ chainId: 'c1', actor: 'alice', afterSeq: 3, limit: 2 })).map(
          (r) => r.seq,
        ),
      ).toEqual([5]);
      expect(await store.audit.queryEvents({ actor: "alice' OR '1'='1", limit: 10 })).toEqual([]);
      expect(
        (await store.audit.queryEvents({ from: 1002, until: 1004, limit: 10 })).map((r) => r.seq),
      ).toEqual([2, 3]);
      expect(await store.audit.deleteEventsBefore('c1', 3)).toBe(3);
      expect(await store.audit.seqRange('c1')).toEqual({ first: 3, last: 5 });
    });

    it('stores checkpoints in tree-size order', async () => {
      store = await open();
      const cp = (treeSize: number) => ({
        chainId: 'c1',
        treeSize,
        ts: treeSize,
        rootHash: 'a'.repeat(64),
        headHash: 'b'.repeat(64),
        keyId: 'k',
        signature: 'sig',
      });
      await store.audit.appendCheckpoint(cp(20));
      await store.audit.appendCheckpoint(cp(10));
      expect((await store.audit.checkpoints('c1')).map((c) => c.treeSize)).toEqual([10, 20]);
      expect(await store.audit.checkpoints('c2')).toEqual([]);
    });
  });
}
