/** The audit queries of the ClickHouse store. */
import type { AuditStore } from '../audit-store.js';
import type { ClickHouseDb } from './connection.js';
import type { ClickHouseMigration } from './migrations.js';
import type { TableSpec } from './schema.js';

/** The audit tables (also rendered by the cluster DDL). */
export const AUDIT_TABLES: readonly TableSpec[] = [];

export const AUDIT_MIGRATIONS: readonly ClickHouseMigration[] = [];

/** The audit sub-store over `db`. */
export function createClickHouseAuditStore(_db: ClickHouseDb): AuditStore {
  return {};
}
