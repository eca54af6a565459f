/** The audit_events row both stores read back, and its mapping to AuditEventRow. */
import type { AuditEventRow } from './audit-store.js';

/** audit_events as SQL returns it (ClickHouse may answer numbers as strings). */
export interface AuditEventSqlRow {
  chain_id: string;
  seq: number | string;
  ts: number | string;
  kind: string;
  actor: string;
  tenant: string;
  action: string;
  resource: string;
  decision: string;
  body: string;
  prev_hash: string;
  hash: string;
}

/** One stored event as the trail sees it. */
export function auditEventFromRow(r: AuditEventSqlRow): AuditEventRow {
  return {
    chainId: String(r.chain_id),
    seq: Number(r.seq),
    ts: Number(r.ts),
    kind: String(r.kind),
    actor: String(r.actor),
    tenant: String(r.tenant),
    action: String(r.action),
    resource: String(r.resource),
    decision: String(r.decision),
    body: String(r.body),
    prevHash: String(r.prev_hash),
    hash: String(r.hash),
  };
}
