/** The audit queries of the embedded store. */
import type { AuditStore } from '../audit-store.js';
import type { DuckDb } from './connection.js';
import type { Migration } from './migrations.js';

export const AUDIT_MIGRATIONS: readonly Migration[] = [];

export function createDuckDbAuditStore(_db: DuckDb): AuditStore {
  return {};
}
