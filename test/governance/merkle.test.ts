import { createHash } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import {
  EMPTY_ROOT,
  MerkleTree,
  leafHash,
  verifyConsistency,
  verifyInclusion,
} from '../../collector/governance/audit/merkle.js';

// The Certificate Transparency reference vectors (certificate-transparency-go / RFC 6962 test data).
const LEAVES = [
  '',
  '00',
  '10',
  '2021',
  '3031',
  '40414243',
  '5051525354555657',
  '606162636465666768696a6b6c6d6e6f',
];
const ROOTS = [
  'e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855',
  '6e340b9cffb37a989ca544e6bb780a2c78901d3fb33738768511a30617afa01d',
  'fac54203e7cc696cf0dfcb42c92a1d9dbaf70ad9e621f4bd8d98662f00e3c125',
  'aeb6bcfe274b70a14fb067a5e5578264db0fa9b51af5e0ba159158f329e06e77',
  'd37ee418976dd95753c1c73862b9398fa2a2cf9b4ff0fdfe8b30cd95209614b7',
  '4e3bbb1f7b478dcfe71fb631631519a3bca12c9aefca1612bfce4c13a86264d4',
  '76e67dadbcdf1e10e1b74ddc608abd2f98dfb16fbce75277b5232a127f2087ef',
  'ddb89be403809e325750d3d263cd78929c2942b7942a34b77e122c9594a74c8c',
  '5dc9da79a70659a9ad559cb701ded9a2ab9d823aad2f4960cfe370eff4604328',
];
const INCLUSION = [
  {
    index: 0,
    size: 8,
    proof: [
      '96a296d224f285c67bee93c30f8a309157f0daa35dc5b87e410b78630a09cfc7',
      '5f083f0a1a33ca076a95279832580db3e0ef4584bdff1f54c8a360f50de3031e',
      '6b47aaf29ee3c2af9af889bc1fb9254dabd31177f16232dd6aab035ca39bf6e4',
    ],
  },
  {
    index: 5,
    size: 8,
    proof: [
      'bc1a0643b12e4d2d7c77918f44e0f4f79a838b6cf9ec5b5c283e1f4d88599e6b',
      'ca854ea128ed050b41b35ffc1b87b8eb2bde461e9e3b5596ece6b9d5975a0ae0',
      'd37ee418976dd95753c1c73862b9398fa2a2cf9b4ff0fdfe8b30cd95209614b7',
    ],
  },
  { index: 2, size: 3, proof: ['fac54203e7cc696cf0dfcb42c92a1d9dbaf70ad9e621f4bd8d98662f00e3c125'] },
  {
    index: 1,
    size: 5,
    proof: [
      '6e340b9cffb37a989ca544e6bb780a2c78901d3fb33738768511a30617afa01d',
      '5f083f0a1a33ca076a95279832580db3e0ef4584bdff1f54c8a360f50de3031e',
      'bc1a0643b12e4d2d7c77918f44e0f4f79a838b6cf9ec5b5c283e1f4d88599e6b',
    ],
  },
];
const CONSISTENCY = [
  { from: 1, to: 1, proof: [] as string[] },
  {
    from: 1,
    to: 8,
    proof: [
      '96a296d224f285c67bee93c30f8a309157f0daa35dc5b87e410b78630a09cfc7',
      '5f083f0a1a33ca076a95279832580db3e0ef4584bdff1f54c8a360f50de3031e',
      '6b47aaf29ee3c2af9af889bc1fb9254dabd31177f16232dd6aab035ca39bf6e4',
    ],
  },
  {
    from: 6,
    to: 8,
    proof: [
      '0ebc5d3437fbe2db158b9f126a1d118e308181031d0a949f8dededebc558ef6a',
      'ca854ea128ed050b41b35ffc1b87b8eb2bde461e9e3b5596ece6b9d5975a0ae0',
      'd37ee418976dd95753c1c73862b9398fa2a2cf9b4ff0fdfe8b30cd95209614b7',
    ],
  },
  {
    from: 2,
    to: 5,
    proof: [
      '5f083f0a1a33ca076a95279832580db3e0ef4584bdff1f54c8a360f50de3031e',
      'bc1a0643b12e4d2d7c77918f44e0f4f79a838b6cf9ec5b5c283e1f4d88599e6b',
    ],
  },
];

const hex = (b: Uint8Array) => Buffer.from(b).toString('hex');
const unhex = (s: string) => Buffer.from(s, 'hex');
const referenceTree = () => {
  const tree = new MerkleTree();
  for (const l of LEAVES) tree.appendData(unhex(l));
  return tree;
};

describe('RFC 6962 Merkle tree', () => {
  it('matches the reference roots for every size', () => {
    const tree = referenceTree();
    expect(hex(EMPTY_ROOT)).toBe(ROOTS[0]);
    for (let n = 0; n <= 8; n++) expect(hex(tree.root(n)), `size ${n}`).toBe(ROOTS[n]);
  });

  it('produces and verifies the reference inclusion proofs', () => {
    const tree = referenceTree();
    for (const v of INCLUSION) {
      const proof = tree.inclusionProof(v.index, v.size);
      expect(proof.map(hex), `${v.index}/${v.size}`).toEqual(v.proof);
      expect(
        verifyInclusion(leafHash(unhex(LEAVES[v.index]!)), v.index, v.size, proof, unhex(ROOTS[v.size]!)),
      ).toBe(true);
    }
  });

  it('produces and verifies the reference consistency proofs', () => {
    const tree = referenceTree();
    for (const v of CONSISTENCY) {
      const proof = tree.consistencyProof(v.from, v.to);
      expect(proof.map(hex), `${v.from}->${v.to}`).toEqual(v.proof);
      expect(verifyConsistency(v.from, v.to, unhex(ROOTS[v.from]!), unhex(ROOTS[v.to]!), proof)).toBe(true);
    }
  });

  it('rejects broken proofs: flipped byte, swapped, truncated, extended, wrong index, wrong root', () => {
    const tree = new MerkleTree();
    for (let i = 0; i < 37; i++) tree.appendData(Buffer.from([i, i * 7]));
    for (let n = 2; n <= 37; n++) {
      const root = tree.root(n);
      for (let i = 0; i < n; i++) {
        const proof = tree.inclusionProof(i, n);
        const leaf = tree.leaf(i);
        expect(verifyInclusion(leaf, i, n, proof, root)).toBe(true);
        const flipped = proof.map((p) => Buffer.from(p));
        flipped[flipped.length - 1]![5]! ^= 1;
        expect(verifyInclusion(leaf, i, n, flipped, root)).toBe(false);
        if (proof.length >= 2 && !proof[0]!.equals(proof[1]!)) {
          expect(verifyInclusion(leaf, i, n, [proof[1]!, proof[0]!, ...proof.slice(2)], root)).toBe(false);
        }
        expect(verifyInclusion(leaf, i, n, proof.slice(0, -1), root)).toBe(false);
        expect(verifyInclusion(leaf, i, n, [...proof, Buffer.alloc(32, 0xab)], root)).toBe(false);
        expect(verifyInclusion(leaf, (i + 1) % n, n, proof, root)).toBe(false);
        expect(verifyInclusion(leaf, i, n, proof, tree.root(n - 1))).toBe(false);
      }
      for (let m = 1; m < n; m++) {
        const proof = tree.consistencyProof(m, n);
        expect(verifyConsistency(m, n, tree.root(m), root, proof), `${m}->${n}`).toBe(true);
        const flipped = proof.map((p) => Buffer.from(p));
        flipped[0]![3]! ^= 0x80;
        expect(verifyConsistency(m, n, tree.root(m), root, flipped)).toBe(false);
        expect(verifyConsistency(m, n, tree.root(m), root, proof.slice(0, -1))).toBe(false);
        expect(verifyConsistency(m, n, tree.root(m), root, [...proof, Buffer.alloc(32, 0xcd)])).toBe(false);
        expect(verifyConsistency(m, n, tree.root(m - 1), root, proof)).toBe(false);
      }
    }
  });

  it('restarts from a retention frontier with the same roots and proofs for the remaining leaves', () => {
    const leaf = (i: number) => createHash('sha256').update(`leaf ${i}`).digest();
    const full = new MerkleTree();
    for (let i = 0; i < 300; i++) full.appendData(leaf(i));
    for (const cut of [1, 7, 64, 100, 255]) {
      const restarted = new MerkleTree(cut, full.frontier(cut));
      for (let i = cut; i < 300; i++) restarted.appendData(leaf(i));
      for (const size of [cut, cut + 1, 256, 300].filter((s) => s >= cut && s <= 300)) {
        expect(hex(restarted.root(size)), `cut ${cut} size ${size}`).toBe(hex(full.root(size)));
      }
      for (const i of [cut, 150, 299].filter((x) => x >= cut)) {
        expect(restarted.inclusionProof(i, 300).map(hex)).toEqual(full.inclusionProof(i, 300).map(hex));
      }
      expect(restarted.consistencyProof(cut, 300).map(hex)).toEqual(full.consistencyProof(cut, 300).map(hex));
    }
  });
});
