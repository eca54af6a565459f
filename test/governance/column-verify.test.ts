import { describe, expect, it } from 'vitest';
import { indexSurelyMatchesBody } from '../../collector/governance/audit/body-index.js';
import { eventBody } from '../../collector/governance/audit/event.js';
import { CompactRange, leafHash, MerkleTree } from '../../collector/governance/audit/merkle.js';

/** The RFC 6962 root of a list of leaf hashes. */
function subtreeRoot(leaves: Buffer[]): Buffer {
  const range = new CompactRange();
  for (const leaf of leaves) range.append(leaf);
  return range.root();
}

const columns = (values: string[]) => (k: number) => Buffer.from(values[k] ?? '', 'utf8');

describe('CompactRange', () => {
  it('gives the same RFC 6962 root as the full tree at every size, also after a frontier start', () => {
    const tree = new MerkleTree();
    const range = new CompactRange();
    for (let i = 0; i < 300; i++) {
      const leaf = leafHash(Buffer.from([i & 255, i >> 8]));
      tree.appendLeafHash(leaf);
      range.append(leaf);
      expect(range.root().toString('hex')).toBe(tree.root().toString('hex'));
    }
    const resumed = new CompactRange(
      77,
      tree.frontier(77).map((n) => Buffer.from(n.hash, 'hex')),
    );
    for (let i = 77; i < 300; i++) resumed.append(tree.leaf(i));
    expect(resumed.root().toString('hex')).toBe(tree.root().toString('hex'));
    expect(() => new CompactRange(77, [])).toThrow(RangeError);
  });

  it('gives the same root when whole aligned subtrees are appended by their roots', () => {
    const tree = new MerkleTree();
    const range = new CompactRange();
    const leaves = Array.from({ length: 200 }, (_, i) => leafHash(Buffer.from([i])));
    for (const leaf of leaves) tree.appendLeafHash(leaf);
    // 0..63 leaf by leaf, 64..127 as a subtree of 64, 128..191 as two of 32, the rest leaf by leaf.
    for (let i = 0; i < 64; i++) range.append(leaves[i]!);
    range.appendSubtree(subtreeRoot(leaves.slice(64, 128)), 6);
    expect(range.root().toString('hex')).toBe(tree.root(128).toString('hex'));
    range.appendSubtree(subtreeRoot(leaves.slice(128, 160)), 5);
    range.appendSubtree(subtreeRoot(leaves.slice(160, 192)), 5);
    for (let i = 192; i < 200; i++) range.append(leaves[i]!);
    expect(range.root().toString('hex')).toBe(tree.root().toString('hex'));
    expect(() => range.appendSubtree(leaves[0]!, 4)).toThrow(RangeError); // 200 is not a multiple of 16
  });
});

describe('indexSurelyMatchesBody', () => {
  const input = {
    kind: 'api_request' as const,
    actor: 'alice',
    tenant: 'acme',
    action: 'GET /v1/stats',
    resource: '/v1/stats',
    decision: 'allow',
    status: 200,
  };
  const body = Buffer.from(eventBody('c1', 12, 1_700_000_000_000, input));
  const right = ['api_request', 'alice', 'acme', 'GET /v1/stats', '/v1/stats', 'allow'];

  it('accepts a canonical body whose columns match', () => {
    expect(indexSurelyMatchesBody(body, 12, 1_700_000_000_000, columns(right))).toBe(true);
  });

  it('rejects any edited column, seq or ts', () => {
    for (let k = 0; k < right.length; k++) {
      const edited = [...right];
      edited[k] = `${edited[k]}x`;
      expect(indexSurelyMatchesBody(body, 12, 1_700_000_000_000, columns(edited)), right[k]).toBe(false);
    }
    expect(indexSurelyMatchesBody(body, 13, 1_700_000_000_000, columns(right))).toBe(false);
    expect(indexSurelyMatchesBody(body, 12, 1_700_000_000_001, columns(right))).toBe(false);
  });

  it('reads an absent member as an empty column, and is unsure of what it does not parse', () => {
    const bare = Buffer.from(eventBody('c1', 1, 2, { kind: 'collector_start' }));
    expect(indexSurelyMatchesBody(bare, 1, 2, columns(['collector_start']))).toBe(true);
    expect(indexSurelyMatchesBody(bare, 1, 2, columns(['collector_start', 'x']))).toBe(false);
    for (const odd of [
      eventBody('c1', 1, 2, { ...input, details: { actor: 'mallory' } }), // nested
      eventBody('c1', 1, 2, { ...input, actor: 'a"b' }), // escapes
      eventBody('c1', 1, 2, { ...input, actor: 'zoë' }), // non-ASCII
      '{"actor":"alice","actor":"bob","kind":"api_request","seq":1,"ts":2}', // duplicate
      '{"kind":"api_request","seq":1,"ts":2,"x":"a\nb"}', // raw control character: JSON.parse fails
      '{"kind":"api_request","seq":1,"ts":2} ',
      '{"kind":"api_request","seq":1.0,"ts":2}',
    ])
      expect(indexSurelyMatchesBody(Buffer.from(odd), 1, 2, columns(['api_request'])), odd).toBe(false);
  });
});
