/**
 * The Ed25519 key that signs audit checkpoints and retention cuts, kept in the data dir
 * (`audit-signing-key.pem`, mode 0600, and its public half `audit-signing-key.pub.pem`).
 */
import {
  createHash,
  createPrivateKey,
  createPublicKey,
  generateKeyPairSync,
  sign,
  verify,
  type KeyObject,
} from 'node:crypto';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { writeFileAtomic } from '../files.js';

/** Signs with the private key; verifies with the public one. */
export interface AuditSigner {
  readonly keyId: string;
  readonly publicKeyPem: string;
  /** Base64 Ed25519 signature of `message`. */
  sign(message: string): string;
}

/** The private key path in a data dir. */
export function signingKeyPath(dataDir: string): string {
  return join(dataDir, 'audit-signing-key.pem');
}

/** The public key path in a data dir. */
export function publicKeyPath(dataDir: string): string {
  return join(dataDir, 'audit-signing-key.pub.pem');
}

/** A short, stable id of a public key: the first 16 hex digits of SHA-256 of its DER. */
export function keyIdOf(publicKey: KeyObject): string {
  return createHash('sha256')
    .update(publicKey.export({ type: 'spki', format: 'der' }))
    .digest('hex')
    .slice(0, 16);
}

/** Loads the data dir's signing key, creating it on first use. */
export function loadOrCreateSigner(dataDir: string): AuditSigner {
  const path = signingKeyPath(dataDir);
  if (!existsSync(path)) {
    const { privateKey, publicKey } = generateKeyPairSync('ed25519');
    writeFileAtomic(path, privateKey.export({ type: 'pkcs8', format: 'pem' }) as string, 0o600);
    writeFileAtomic(
      publicKeyPath(dataDir),
      publicKey.export({ type: 'spki', format: 'pem' }) as string,
      0o644,
    );
  }
  const privateKey = createPrivateKey(readFileSync(path, 'utf8'));
  const publicKey = createPublicKey(privateKey);
  const publicKeyPem = publicKey.export({ type: 'spki', format: 'pem' }) as string;
  return {
    keyId: keyIdOf(publicKey),
    publicKeyPem,
    sign: (message) => sign(null, Buffer.from(message), privateKey).toString('base64'),
  };
}

/** Public keys by key id, for verification. */
export type PublicKeys = ReadonlyMap<string, KeyObject>;

/** Public keys from PEM texts. */
export function publicKeysFrom(pems: readonly string[]): Map<string, KeyObject> {
  const keys = new Map<string, KeyObject>();
  for (const pem of pems) {
    const key = createPublicKey(pem);
    keys.set(keyIdOf(key), key);
  }
  return keys;
}

/** Whether `signature` (base64) is a valid signature of `message` by the key `keyId`. */
export function verifySignature(
  keys: PublicKeys,
  keyId: string,
  message: string,
  signature: string,
): boolean {
  const key = keys.get(keyId);
  if (!key) return false;
  try {
    return verify(null, Buffer.from(message), key, Buffer.from(signature, 'base64'));
  } catch {
    return false;
  }
}
