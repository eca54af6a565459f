/** Every table of the ClickHouse store, for the cluster DDL and retention. */
import { AUDIT_TABLES } from './audit.js';
import { DRIFT_TABLES } from './drift.js';
import { GPU_TABLES } from './gpu.js';
import { HEALTH_TABLES } from './health.js';
import { INGEST_TABLE_SPECS } from './ingest-tables.js';
import type { TableSpec } from './schema.js';

/** All tables, ingest first. */
export const ALL_TABLE_SPECS: readonly TableSpec[] = [
  ...INGEST_TABLE_SPECS,
  ...DRIFT_TABLES,
  ...GPU_TABLES,
  ...AUDIT_TABLES,
  ...HEALTH_TABLES,
];
