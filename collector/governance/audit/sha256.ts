/**
 * SHA-256 for the audit hot paths. Node's one-shot `crypto.hash` (Node ≥ 20.12) skips the Hash
 * object a `createHash` call allocates: ~3× cheaper per call on the ~3M hashes of verifying 1M
 * events (bench/governance.bench.ts, audit-verify-1m). It is looked up at runtime, not imported
 * by name: a named import of a missing export fails to link on older Node 20 (engines: ≥ 20.6).
 */
import * as crypto from 'node:crypto';

type OneShot = (
  algorithm: string,
  data: crypto.BinaryLike,
  encoding: 'buffer' | 'hex' | 'latin1',
) => Buffer | string;
const oneShot = (crypto as { hash?: OneShot }).hash;

/** SHA-256 of `data` as raw bytes. Chosen once at load: no per-call branch. */
export const sha256: (data: Uint8Array) => Buffer = oneShot
  ? (data) => oneShot('sha256', data, 'buffer') as Buffer
  : (data) => crypto.createHash('sha256').update(data).digest();

/**
 * SHA-256 of `data` as a 32-character latin1 string: character k is digest byte k. For the bulk
 * paths that only read the digest's bytes: the Buffer that `sha256` returns is itself ~0.55 µs of
 * a ~0.8 µs hash of 33 bytes, a 32-byte one-byte string ~0.05 µs (node 20, audit-verify-1m).
 */
export const sha256Latin1: (data: Uint8Array) => string = oneShot
  ? (data) => oneShot('sha256', data, 'latin1') as string
  : (data) => crypto.createHash('sha256').update(data).digest().toString('latin1');

/** SHA-256 of a UTF-8 string as lowercase hex. */
export const sha256Hex: (data: string) => string = oneShot
  ? (data) => oneShot('sha256', data, 'hex') as string
  : (data) => crypto.createHash('sha256').update(data).digest('hex');
