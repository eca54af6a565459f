/**
 * The collector's own metrics (docs/metrics.md, "Collector health"), created once per registry
 * so the hot path only increments prepared children.
 */
import { Counter, Gauge, Histogram, Registry, collectDefaultMetrics } from 'prom-client';
import type { Stream } from '../ingest/rows.js';

export interface CollectorMetrics {
  readonly registry: Registry;
  readonly ingestedRecords: Counter<'stream'>;
  readonly rejectedRecords: Counter<'stream' | 'code'>;
  readonly httpRequests: Counter<'route' | 'method' | 'status'>;
  readonly httpDuration: Histogram<'route' | 'method'>;
  readonly walBacklogBytes: Gauge;
  readonly walCapacityBytes: Gauge;
  readonly storeUp: Gauge<'store'>;
  readonly storeWriteDuration: Histogram<'store'>;
  readonly storeRowsWritten: Counter<'table'>;
  readonly storeWriteErrors: Counter<'store'>;
  /** Epoch ms of the last acknowledged ingest per stream (for /v1/stats). */
  readonly lastIngestAt: Map<Stream, number>;
}

export function createCollectorMetrics(version: string): CollectorMetrics {
  const registry = new Registry();
  collectDefaultMetrics({ register: registry });
  const registers = [registry];
  new Gauge({
    name: 'factorywatch_build_info',
    help: 'Build information; always 1.',
    labelNames: ['version'],
    registers,
  }).set({ version }, 1);
  return {
    registry,
    ingestedRecords: new Counter({
      name: 'factorywatch_ingest_records_total',
      help: 'Records acknowledged into the write-ahead log.',
      labelNames: ['stream'],
      registers,
    }),
    rejectedRecords: new Counter({
      name: 'factorywatch_ingest_rejected_total',
      help: 'Records rejected, by error code.',
      labelNames: ['stream', 'code'],
      registers,
    }),
    httpRequests: new Counter({
      name: 'factorywatch_http_requests_total',
      help: 'HTTP requests answered.',
      labelNames: ['route', 'method', 'status'],
      registers,
    }),
    httpDuration: new Histogram({
      name: 'factorywatch_http_request_duration_seconds',
      help: 'HTTP request latency.',
      labelNames: ['route', 'method'],
      buckets: [0.001, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5],
      registers,
    }),
    walBacklogBytes: new Gauge({
      name: 'factorywatch_wal_backlog_bytes',
      help: 'Write-ahead log bytes not yet applied to the store.',
      registers,
    }),
    walCapacityBytes: new Gauge({
      name: 'factorywatch_wal_capacity_bytes',
      help: 'The write-ahead log cap; ingest answers 503 above it.',
      registers,
    }),
    storeUp: new Gauge({
      name: 'factorywatch_store_up',
      help: '1 when the last store operation succeeded.',
      labelNames: ['store'],
      registers,
    }),
    storeWriteDuration: new Histogram({
      name: 'factorywatch_store_write_duration_seconds',
      help: 'Time to apply one batch to the store.',
      labelNames: ['store'],
      buckets: [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10],
      registers,
    }),
    storeRowsWritten: new Counter({
      name: 'factorywatch_store_rows_written_total',
      help: 'Rows applied to the store.',
      labelNames: ['table'],
      registers,
    }),
    storeWriteErrors: new Counter({
      name: 'factorywatch_store_write_errors_total',
      help: 'Failed batch applications (retried with backoff).',
      labelNames: ['store'],
      registers,
    }),
    lastIngestAt: new Map(),
  };
}
