/** The health queries of the ClickHouse store. */
import type { HealthStore } from '../health-store.js';
import type { ClickHouseDb } from './connection.js';
import type { ClickHouseMigration } from './migrations.js';

export const HEALTH_MIGRATIONS: readonly ClickHouseMigration[] = [];

/** The health sub-store over `db`. */
export function createClickHouseHealthStore(_db: ClickHouseDb): HealthStore {
  return {};
}
