/**
 * The one storage contract. Two adapters implement it (store/duckdb, store/clickhouse) and one
 * contract suite (test/store-contract) runs against both. Each part of the design owns one
 * sub-store: business logic asks it for aggregates, so heavy lifting runs in the database.
 */
import type { AuditStore } from './audit-store.js';
import type { DriftStore } from './drift-store.js';
import type { GpuStore } from './gpu-store.js';
import type { HealthStore } from './health-store.js';
import type { IngestStore } from './ingest-store.js';

export interface Store {
  /** Which adapter this is, for /readyz and logs. */
  readonly kind: 'duckdb' | 'clickhouse';
  readonly ingest: IngestStore;
  readonly drift: DriftStore;
  readonly gpu: GpuStore;
  readonly audit: AuditStore;
  readonly health: HealthStore;
  /** Resolves when the database answers; rejects with the reason otherwise. */
  ping(): Promise<void>;
  close(): Promise<void>;
}
