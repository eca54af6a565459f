/** The gpu queries of the ClickHouse store. */
import type { GpuStore } from '../gpu-store.js';
import type { ClickHouseDb } from './connection.js';
import type { ClickHouseMigration } from './migrations.js';
import type { TableSpec } from './schema.js';

/** The gpu tables (also rendered by the cluster DDL). */
export const GPU_TABLES: readonly TableSpec[] = [];

export const GPU_MIGRATIONS: readonly ClickHouseMigration[] = [];

/** The gpu sub-store over `db`. */
export function createClickHouseGpuStore(_db: ClickHouseDb): GpuStore {
  return {};
}
