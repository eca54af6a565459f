/** The audit_events row both stores read back, and its mapping to AuditEventRow. */
import type { AuditEventFilter, AuditEventRow } from './audit-store.js';

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

/** One condition of an event query: `column op value`, bound by each store in its own syntax. */
export interface AuditCondition {
  column: string;
  op: '=' | '>=' | '<' | '>';
  value: string | number;
}

/** The conditions a filter sets, in one order for both stores. */
export function auditFilterConditions(filter: AuditEventFilter): AuditCondition[] {
  const conditions: AuditCondition[] = [];
  const add = (column: string, op: AuditCondition['op'], value: string | number | undefined) => {
    if (value !== undefined) conditions.push({ column, op, value });
  };
  add('chain_id', '=', filter.chainId);
  add('actor', '=', filter.actor);
  add('action', '=', filter.action);
  add('resource', '=', filter.resource);
  add('decision', '=', filter.decision);
  add('tenant', '=', filter.tenant);
  add('kind', '=', filter.kind);
  add('ts', '>=', filter.from);
  add('ts', '<', filter.until);
  add('seq', '>', filter.afterSeq);
  return conditions;
}
