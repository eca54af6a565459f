/**
 * The ingest routes: validate each record, append the valid ones to the WAL, answer 202 once
 * they are durable. A record is never half-kept: it is either acknowledged or listed in
 * `rejected` with its code and path.
 */
import type { FastifyInstance, FastifyRequest } from 'fastify';
import { IngestResponse, type RejectedRecord } from '../../sdk/src/wire.js';
import type { Config } from '../config/config.js';
import { parseExposition } from '../gpu/parse-exposition.js';
import { envelopeRecords } from '../http/body-parsers.js';
import type { CollectorMetrics } from '../metrics/collector-metrics.js';
import type { Wal } from '../wal/wal.js';
import { FactorywatchError } from '../errors.js';
import type { Stream } from './rows.js';
import { createValidator, type RecordStream } from './validate.js';

export interface IngestDeps {
  config: Config;
  wal: Wal;
  metrics: CollectorMetrics;
}

const RECORD_ROUTES: readonly [string, RecordStream][] = [
  ['/v1/predictions', 'predictions'],
  ['/v1/labels', 'labels'],
  ['/v1/pipeline-stats', 'pipeline_stats'],
];

export async function ingestRoutes(app: FastifyInstance, deps: IngestDeps): Promise<void> {
  const { wal, metrics } = deps;
  const schema = { response: { 202: IngestResponse } };

  async function acknowledge(
    stream: Stream,
    request: FastifyRequest,
    receivedAt: number,
    valid: unknown[],
    rejected: RejectedRecord[],
  ) {
    const accepted = valid.length;
    const durable = accepted > 0 ? wal.append(stream, tenantOf(request), receivedAt, valid) : undefined;
    // append() has encoded the records into the WAL frame; emptying the array lets them be
    // collected while the fsync is awaited instead of being promoted to the old generation.
    valid.length = 0;
    await durable;
    metrics.walBacklogBytes.set(wal.backlogBytes);
    if (accepted > 0) {
      metrics.ingestedRecords.inc({ stream }, accepted);
      metrics.lastIngestAt.set(stream, receivedAt);
    }
    for (const r of rejected) metrics.rejectedRecords.inc({ stream, code: r.code });
    return { accepted, rejected };
  }

  for (const [url, stream] of RECORD_ROUTES) {
    const validator = createValidator(stream, { maxFeatures: deps.config.maxFeatures });
    app.post(url, { schema }, async (request, reply) => {
      const receivedAt = Date.now();
      const { valid, rejected } = validator.validate(envelopeRecords(request.body), receivedAt);
      // The parsed body is dead once validated; dropping it here lets it die young instead of
      // surviving into the old generation while the WAL fsync is awaited (ingest-e2e RSS).
      request.body = undefined;
      return reply.code(202).send(await acknowledge(stream, request, receivedAt, valid, rejected));
    });
  }

  app.post('/v1/gpu-samples', { schema }, async (request, reply) => {
    if (typeof request.body !== 'string') {
      throw new FactorywatchError(
        'UNSUPPORTED_MEDIA_TYPE',
        'Send a dcgm-exporter exposition body with Content-Type: text/plain.',
      );
    }
    const receivedAt = Date.now();
    const { rows, errors } = parseExposition(request.body, receivedAt);
    const rejected = errors.map((e): RejectedRecord => ({
      index: e.line,
      code: 'EXPOSITION_LINE_INVALID',
      message: e.message,
      path: `/lines/${e.line}`,
    }));
    return reply.code(202).send(await acknowledge('gpu_samples', request, receivedAt, rows, rejected));
  });
}

/** The tenant records are stored under; a cross-tenant token that names none writes to `default`. */
function tenantOf(request: FastifyRequest): string {
  const tenant = request.principal?.tenant;
  return tenant === undefined || tenant === '*' ? 'default' : tenant;
}
