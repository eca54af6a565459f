/** The health queries of the embedded store. */
import type { HealthStore } from '../health-store.js';
import type { DuckDb } from './connection.js';
import type { Migration } from './migrations.js';

export const HEALTH_MIGRATIONS: readonly Migration[] = [];

export function createDuckDbHealthStore(_db: DuckDb): HealthStore {
  return {};
}
