/**
 * The scale-out store: ClickHouse over HTTP. `openClickHouseStore` reads the server's version
 * once and renders the schema and binding for it (18.16 through current releases).
 */
import type { Store } from '../store.js';
import { AUDIT_MIGRATIONS, createClickHouseAuditStore } from './audit.js';
import { ClickHouseDb } from './connection.js';
import { DRIFT_MIGRATIONS, createClickHouseDriftStore } from './drift.js';
import { GPU_MIGRATIONS, createClickHouseGpuStore } from './gpu.js';
import { HEALTH_MIGRATIONS, createClickHouseHealthStore } from './health.js';
import { INGEST_MIGRATIONS, createClickHouseIngestStore } from './ingest.js';
import { migrate } from './migrations.js';
import { dropPartitionsBefore, type DroppedPartition } from './retention.js';
import type { SchemaOptions } from './schema.js';
import { parseClickHouseUrl } from './url.js';
import type { ServerFeatures, ServerVersion } from './version.js';

export { isTransientStoreError, ClickHouseStoreError } from './errors.js';
export type { DroppedPartition } from './retention.js';

/** Options of the ClickHouse store. */
export type ClickHouseStoreOptions = SchemaOptions;

/** The Store contract plus what only ClickHouse has. */
export interface ClickHouseStore extends Store {
  readonly kind: 'clickhouse';
  /** The server's release, as read at open. */
  readonly serverVersion: ServerVersion;
  /** The features chosen for that release. */
  readonly features: ServerFeatures;
  /** The database in use. */
  readonly database: string;
  /** Retention: drops every time-series partition whose UTC day lies wholly before `epochMs`. */
  dropPartitionsBefore(epochMs: number): Promise<DroppedPartition[]>;
}

/**
 * Opens (and migrates) the store at `url`: `http://host:8123[?database=NAME]`, default
 * database `factorywatch`, created if missing.
 * @example const store = await openClickHouseStore('http://127.0.0.1:8123?database=factorywatch');
 */
export async function openClickHouseStore(
  url: string,
  options: ClickHouseStoreOptions = {},
): Promise<ClickHouseStore> {
  const db = await ClickHouseDb.open(parseClickHouseUrl(url));
  try {
    await migrate(
      db,
      [
        ...INGEST_MIGRATIONS,
        ...DRIFT_MIGRATIONS,
        ...GPU_MIGRATIONS,
        ...AUDIT_MIGRATIONS,
        ...HEALTH_MIGRATIONS,
      ],
      options,
    );
  } catch (error) {
    await db.close();
    throw error;
  }
  return {
    kind: 'clickhouse',
    serverVersion: db.version,
    features: db.features,
    database: db.database,
    ingest: createClickHouseIngestStore(db),
    drift: createClickHouseDriftStore(db),
    gpu: createClickHouseGpuStore(db),
    audit: createClickHouseAuditStore(db),
    health: createClickHouseHealthStore(db),
    async ping() {
      await db.query('SELECT 1 AS ok');
    },
    dropPartitionsBefore: (epochMs) => dropPartitionsBefore(db, epochMs),
    close: () => db.close(),
  };
}
