/** The embedded store: one DuckDB file. */
import type { Store } from '../store.js';
import { DuckDb } from './connection.js';
import { AUDIT_MIGRATIONS, createDuckDbAuditStore } from './audit.js';
import { DRIFT_MIGRATIONS, createDuckDbDriftStore } from './drift.js';
import { GPU_MIGRATIONS, createDuckDbGpuStore } from './gpu.js';
import { HEALTH_MIGRATIONS, createDuckDbHealthStore } from './health.js';
import { INGEST_MIGRATIONS, createDuckDbIngestStore } from './ingest.js';
import { migrate } from './migrations.js';

/**
 * DuckDB's defaults take most of the machine's memory; the collector shares it with the host's
 * services, so the buffer pool is capped and larger queries spill to `<path>.tmp`.
 */
export const DUCKDB_DEFAULT_SETTINGS: Readonly<Record<string, string>> = { memory_limit: '256MB' };

/** Opens the embedded store at `path`; `settings` override DUCKDB_DEFAULT_SETTINGS. */
export async function openDuckDbStore(path: string, settings: Record<string, string> = {}): Promise<Store> {
  const db = await DuckDb.open(path, { ...DUCKDB_DEFAULT_SETTINGS, ...settings });
  await migrate(db, [
    ...INGEST_MIGRATIONS,
    ...DRIFT_MIGRATIONS,
    ...GPU_MIGRATIONS,
    ...AUDIT_MIGRATIONS,
    ...HEALTH_MIGRATIONS,
  ]);
  return {
    kind: 'duckdb',
    ingest: createDuckDbIngestStore(db),
    drift: createDuckDbDriftStore(db),
    gpu: createDuckDbGpuStore(db),
    audit: createDuckDbAuditStore(db),
    health: createDuckDbHealthStore(db),
    async ping() {
      await db.all('SELECT 1');
    },
    close: () => db.close(),
  };
}
