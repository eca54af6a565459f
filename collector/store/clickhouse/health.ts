/** The health queries of the ClickHouse store. */
import type { HealthStore } from '../health-store.js';
import type { ClickHouseDb } from './connection.js';
import type { ClickHouseMigration } from './migrations.js';
import type { TableSpec } from './schema.js';

/** The health tables (also rendered by the cluster DDL). */
export const HEALTH_TABLES: readonly TableSpec[] = [];

export const HEALTH_MIGRATIONS: readonly ClickHouseMigration[] = [];

/** The health sub-store over `db`. */
export function createClickHouseHealthStore(_db: ClickHouseDb): HealthStore {
  return {};
}
