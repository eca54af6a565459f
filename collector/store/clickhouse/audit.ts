/** The audit queries of the ClickHouse store. */
import type { AuditStore } from '../audit-store.js';
import type { ClickHouseDb } from './connection.js';
import type { ClickHouseMigration } from './migrations.js';

export const AUDIT_MIGRATIONS: readonly ClickHouseMigration[] = [];

/** The audit sub-store over `db`. */
export function createClickHouseAuditStore(_db: ClickHouseDb): AuditStore {
  return {};
}
