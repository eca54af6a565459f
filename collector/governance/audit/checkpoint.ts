/** The signed checkpoint statement and the signed retention cut statement. */
import type { AuditCheckpointRow } from '../../store/audit-store.js';
import { canonicalJson } from './canonical-json.js';
import type { SubtreeHash } from './merkle.js';
import { verifySignature, type AuditSigner, type PublicKeys } from './signing-key.js';

/** The exact text an Ed25519 checkpoint signature covers. */
export function checkpointStatement(c: Omit<AuditCheckpointRow, 'signature' | 'keyId'>): string {
  return `factorywatch-audit-checkpoint/v1\nchain ${c.chainId}\nsize ${c.treeSize}\nroot ${c.rootHash}\nhead ${c.headHash}\ntime ${c.ts}\n`;
}

/** Signs a checkpoint. */
export function signCheckpoint(
  signer: AuditSigner,
  c: Omit<AuditCheckpointRow, 'signature' | 'keyId'>,
): AuditCheckpointRow {
  return { ...c, keyId: signer.keyId, signature: signer.sign(checkpointStatement(c)) };
}

/** Whether a checkpoint's signature is valid. */
export function checkpointSignatureOk(keys: PublicKeys, c: AuditCheckpointRow): boolean {
  return verifySignature(keys, c.keyId, checkpointStatement(c), c.signature);
}

/** What a retention cut records (in the `details` of its retention_cut event). */
export interface RetentionCut {
  /** Events with seq < beforeSeq were deleted. */
  beforeSeq: number;
  /** The hash of event beforeSeq-1: where the remaining chain starts. */
  chainHash: string;
  /** The Merkle subtrees covering the deleted prefix. */
  frontier: SubtreeHash[];
  /** Events older than this (epoch ms) were due. */
  cutoffTs: number;
  keyId: string;
  /** Base64 Ed25519 signature over the canonical JSON of the other fields. */
  signature: string;
}

/** Signs a retention cut. */
export function signRetentionCut(
  signer: AuditSigner,
  cut: Omit<RetentionCut, 'keyId' | 'signature'>,
): RetentionCut {
  const unsigned = { ...cut, keyId: signer.keyId };
  return {
    ...unsigned,
    signature: signer.sign(`factorywatch-audit-retention-cut/v1\n${canonicalJson(unsigned)}`),
  };
}

/** Whether a retention cut's signature is valid. */
export function retentionCutSignatureOk(keys: PublicKeys, cut: RetentionCut): boolean {
  const { signature, ...unsigned } = cut;
  return verifySignature(
    keys,
    cut.keyId,
    `factorywatch-audit-retention-cut/v1\n${canonicalJson(unsigned)}`,
    signature,
  );
}
