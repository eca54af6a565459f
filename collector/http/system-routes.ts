/** Liveness, readiness, the collector's own metrics and stored volumes. */
import type { FastifyInstance } from 'fastify';
import type { CollectorMetrics } from '../metrics/collector-metrics.js';
import type { WalWriter } from '../ingest/writer.js';
import type { Store } from '../store/store.js';
import type { Wal } from '../wal/wal.js';

export interface SystemDeps {
  store: Store;
  wal: Wal;
  writer: WalWriter;
  metrics: CollectorMetrics;
  walMaxBytes: number;
}

export async function systemRoutes(app: FastifyInstance, deps: SystemDeps): Promise<void> {
  const { store, wal, writer, metrics } = deps;

  app.get('/healthz', async () => ({ status: 'ok' }));

  app.get('/readyz', async (_request, reply) => {
    const status = writer.status;
    if (!status.ready)
      return reply.code(503).send({ status: 'not_ready', reason: status.reason ?? 'unknown' });
    return { status: 'ready', store: store.kind };
  });

  app.get('/metrics', async (_request, reply) => {
    metrics.walBacklogBytes.set(wal.backlogBytes);
    const body = await metrics.registry.metrics();
    return reply.header('content-type', metrics.registry.contentType).send(body);
  });

  app.get('/v1/stats', async (request) => {
    // A cross-tenant token (`*`) that names no tenant sees every tenant's volume.
    const tenant = request.principal?.tenant;
    const counts = await store.ingest.counts(tenant === '*' ? undefined : tenant);
    const status = writer.status;
    return {
      streams: counts.map((c) => ({
        stream: c.stream,
        records: c.records,
        last_ts: c.lastTs,
        last_ingest_at: metrics.lastIngestAt.get(c.stream) ?? null,
      })),
      wal: {
        id: wal.id,
        backlog_bytes: wal.backlogBytes,
        capacity_bytes: deps.walMaxBytes,
        applied_seq: status.appliedSeq,
        next_seq: wal.nextSeq,
      },
      store: { kind: store.kind, ready: status.ready, ...(status.reason ? { reason: status.reason } : {}) },
    };
  });
}
