/** The drift queries of the ClickHouse store. */
import type { DriftStore } from '../drift-store.js';
import type { ClickHouseDb } from './connection.js';
import type { ClickHouseMigration } from './migrations.js';
import type { TableSpec } from './schema.js';

/** The drift tables (also rendered by the cluster DDL). */
export const DRIFT_TABLES: readonly TableSpec[] = [];

export const DRIFT_MIGRATIONS: readonly ClickHouseMigration[] = [];

/** The drift sub-store over `db`. */
export function createClickHouseDriftStore(_db: ClickHouseDb): DriftStore {
  return {};
}
