/**
 * Audit events: what is recorded, its canonical body, and the chain hash
 * hash(n) = SHA-256( hex(hash(n-1)) || body(n) ), with 64 zeros before the first event.
 */
import { canonicalJson } from './canonical-json.js';
import { leafHash } from './merkle.js';
import { sha256Hex } from './sha256.js';

/** The kinds of audit events. */
export type AuditEventKind =
  | 'api_request'
  | 'token_create'
  | 'token_revoke'
  | 'policy_change'
  | 'reference_change'
  | 'export'
  | 'collector_start'
  | 'collector_stop'
  | 'retention_cut';

/** What a caller records; the trail adds chain, seq, ts and the hashes. */
export interface AuditEventInput {
  kind: AuditEventKind;
  /** Who: the token's subject, `system` for the collector itself, `anonymous` without a token. */
  actor?: string;
  tenant?: string;
  role?: string;
  /** How the actor authenticated: `bearer`, `none`, `local` (CLI on the data dir). */
  auth?: string;
  ip?: string;
  userAgent?: string;
  /** `METHOD /route` for requests, else a verb such as `token.create`. */
  action?: string;
  /** The URL or the object acted on. */
  resource?: string;
  /** `allow`, `deny` or '' when no decision was made. */
  decision?: string;
  /** The matched policy rule. */
  rule?: string;
  /** SHA-256 of the policy in force. */
  policy?: string;
  status?: number;
  requestId?: string;
  /** Kind-specific detail (old/new policy hash, request body at level `request`, …). */
  details?: Record<string, unknown>;
}

/** The body of a stored event: the input plus its position. */
export interface AuditEventBody extends AuditEventInput {
  v: 1;
  chain: string;
  seq: number;
  ts: number;
}

/** The hash before the first event. */
export const GENESIS_HASH = '0'.repeat(64);

/** The canonical body of an event. */
export function eventBody(chain: string, seq: number, ts: number, input: AuditEventInput): string {
  const body: AuditEventBody = { v: 1, chain, seq, ts, ...input };
  return canonicalJson(body);
}

/** hash(n) from hash(n-1) (hex) and body(n). One-shot hashing: a Hash object per event costs ~5× more. */
export function chainHash(prevHashHex: string, body: string): string {
  return sha256Hex(prevHashHex + body);
}

/** The RFC 6962 leaf hash of an event: SHA-256(0x00 || raw event hash). */
export function eventLeafHash(hashHex: string): Buffer {
  return leafHash(Buffer.from(hashHex, 'hex'));
}
