/** The gpu queries of the embedded store. */
import type { GpuStore } from '../gpu-store.js';
import type { DuckDb } from './connection.js';
import type { Migration } from './migrations.js';

export const GPU_MIGRATIONS: readonly Migration[] = [];

export function createDuckDbGpuStore(_db: DuckDb): GpuStore {
  return {};
}
