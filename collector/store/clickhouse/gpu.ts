/** The gpu queries of the ClickHouse store. */
import type { GpuStore } from '../gpu-store.js';
import type { ClickHouseDb } from './connection.js';
import type { ClickHouseMigration } from './migrations.js';

export const GPU_MIGRATIONS: readonly ClickHouseMigration[] = [];

/** The gpu sub-store over `db`. */
export function createClickHouseGpuStore(_db: ClickHouseDb): GpuStore {
  return {};
}
