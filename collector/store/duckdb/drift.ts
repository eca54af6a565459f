/** The drift queries of the embedded store. */
import type { DriftStore } from '../drift-store.js';
import type { DuckDb } from './connection.js';
import type { Migration } from './migrations.js';

export const DRIFT_MIGRATIONS: readonly Migration[] = [];

export function createDuckDbDriftStore(_db: DuckDb): DriftStore {
  return {};
}
