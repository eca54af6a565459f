import { captureIo } from '../helpers/capture-io.js';
import { testContext } from '../helpers/context.js';
/** The health routes, metrics and CLIs against a real store and a real fastify server. */
import { join } from 'node:path';
import Fastify, { type FastifyInstance } from 'fastify';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { AppContext } from '../../collector/http/context.js';
import { registerErrorHandlers } from '../../collector/http/errors.js';
import { runModelsCli } from '../../collector/models/cli.js';
import { startHealthMetrics } from '../../collector/models/metrics.js';
import { modelRoutes } from '../../collector/models/routes.js';
import { runPipelinesCli } from '../../collector/pipeline/cli.js';
import { pipelineRoutes } from '../../collector/pipeline/routes.js';
import { openDuckDbStore } from '../../collector/store/duckdb/index.js';
import type { Store } from '../../collector/store/store.js';
import { batchOf, labelRow, pipelineStatRow, predictionRow } from '../helpers/rows.js';
import { scratchDir } from '../helpers/tmp.js';

const NOW = Date.now();
const MIN = 60_000;

describe('health API, metrics and CLI', () => {
  let store: Store;
  let app: FastifyInstance;
  let ctx: AppContext;
  let url: string;

  beforeAll(async () => {
    store = await openDuckDbStore(join(scratchDir(), 'api.duckdb'));
    const predictions = [];
    for (let i = 0; i < 40; i++) {
      const version = i % 4 === 0 ? 'canary' : 'stable';
      predictions.push(
        predictionRow({
          ts: NOW - 30 * MIN + i,
          version,
          requestId: `r${i}`,
          predictionNum: i % 2 || i % 8 === 0 ? 0.9 : 0.1,
          latencyMs: 10 + i,
        }),
      );
    }
    predictions.push(predictionRow({ ts: NOW - MIN, tenant: 'other', model: 'secret' }));
    await store.ingest.applyBatch(
      batchOf('w', 0, 0, {
        predictions,
        labels: Array.from({ length: 40 }, (_, i) =>
          labelRow({ ts: NOW, requestId: `r${i}`, labelNum: i % 2 }),
        ),
        pipelineStats: [
          ...Array.from({ length: 60 }, (_, i) =>
            pipelineStatRow({ ts: NOW - i * 15_000, stage: 'load', queueDepth: 3, lagSeconds: 1 }),
          ),
          ...Array.from({ length: 60 }, (_, i) =>
            pipelineStatRow({ ts: NOW - 30 * MIN - i * 15_000, stage: 'extract' }),
          ),
        ],
      }),
    );
    ctx = testContext({ store, file: { health: { refreshSeconds: 3600 } } });
    app = Fastify();
    registerErrorHandlers(app);
    // The seam: the lead's auth hook sets the principal; here a header picks the tenant.
    app.addHook('preHandler', async (request) => {
      const tenant = (request.headers['x-tenant'] as string | undefined) ?? 'default';
      request.principal = { subject: 'test', role: 'admin', tenant, tokenId: 't' };
    });
    await modelRoutes(app, ctx);
    await pipelineRoutes(app, ctx);
    url = await app.listen({ port: 0, host: '127.0.0.1' });
  });
  afterAll(async () => {
    await app.close();
    await store.close();
  });

  it('GET /v1/models answers per version with latency and quality, for the caller tenant only', async () => {
    const res = await app.inject({ method: 'GET', url: '/v1/models' });
    expect(res.statusCode).toBe(200);
    const body = res.json();
    expect(body.until - body.from).toBe(86_400_000);
    expect(body.models.map((m: { version: string }) => m.version)).toEqual(['canary', 'stable']);
    const canary = body.models[0];
    expect(canary).toMatchObject({
      model: 'm',
      segment: '',
      predictions: 10,
      labeled: 10,
      task: 'classification',
    });
    // canary served only label-0 requests and called half of them positive.
    expect(canary.quality).toEqual({ accuracy: 0.5, precision: 0, recall: 0, f1: 0, roc_auc: null });
    expect(body.models[1].quality).toEqual({ accuracy: 1, precision: 1, recall: 1, f1: 1, roc_auc: 1 });
    expect(body.models[1].latency_ms.p50).toBeCloseTo(30, 6);

    const other = await app.inject({ method: 'GET', url: '/v1/models', headers: { 'x-tenant': 'other' } });
    expect(other.json().models.map((m: { model: string }) => m.model)).toEqual(['secret']);
  });

  it('GET /v1/models takes windows as durations, ISO or epoch ms, and rejects bad ones with a path', async () => {
    const old = await app.inject({
      method: 'GET',
      url: `/v1/models?from=${NOW - 3 * 86_400_000}&until=2d&by=version`,
    });
    expect(old.json().models).toEqual([]);
    const iso = await app.inject({
      method: 'GET',
      url: `/v1/models?from=${new Date(NOW - 3_600_000).toISOString()}&by=version`,
    });
    expect(iso.json().models.map((m: { segment: null }) => m.segment)).toEqual([null, null]);
    const bad = await app.inject({ method: 'GET', url: '/v1/models?from=yesterday' });
    expect(bad.statusCode).toBe(400);
    expect(bad.json().error).toMatchObject({ code: 'QUERY_INVALID', path: '/querystring/from' });
    const reversed = await app.inject({ method: 'GET', url: '/v1/models?from=1h&until=2h' });
    expect(reversed.json().error.code).toBe('QUERY_INVALID');
    const unknown = await app.inject({ method: 'GET', url: '/v1/models?by=tenant' });
    expect(unknown.statusCode).toBe(400);
  });

  it('GET /v1/pipelines/health answers the documented shape', async () => {
    const res = await app.inject({ method: 'GET', url: '/v1/pipelines/health' });
    expect(res.statusCode).toBe(200);
    const [extract, load] = res.json().pipelines;
    expect(load).toMatchObject({
      pipeline: 'etl',
      stage: 'load',
      status: 'ok',
      reasons: [],
      lag_seconds: 1,
      queue_depth: 3,
      error_rate: 0,
    });
    expect(Object.keys(load).sort()).toEqual(
      [
        'pipeline',
        'stage',
        'status',
        'reasons',
        'throughput_rows_per_s',
        'output_input_ratio',
        'lag_seconds',
        'lag_slope_per_s',
        'queue_depth',
        'queue_slope_per_s',
        'error_rate',
        'last_seen',
        'last_success',
        'freshness_seconds',
        'starved',
      ].sort(),
    );
    expect(load.starved).toBe(false);
    expect(extract).toMatchObject({ stage: 'extract', status: 'stalled' });
    const earlier = await app.inject({
      method: 'GET',
      url: `/v1/pipelines/health?pipeline=etl&at=${NOW - 31 * MIN}`,
    });
    // Half an hour ago only extract had reported, and it was fine then.
    expect(
      earlier.json().pipelines.map((p: { stage: string; status: string }) => [p.stage, p.status]),
    ).toEqual([['extract', 'ok']]);
  });

  it('marks a stage starved by the same rule as data-starved GPU idle', async () => {
    await store.ingest.applyBatch(
      batchOf('starving', 0, 0, {
        pipelineStats: Array.from({ length: 10 }, (_, i) =>
          pipelineStatRow({
            ts: NOW - i * 15_000,
            pipeline: 'loader',
            stage: 'batches',
            queueDepth: 0,
            lagSeconds: 5,
          }),
        ),
      }),
    );
    const res = await app.inject({ method: 'GET', url: `/v1/pipelines/health?pipeline=loader&at=${NOW}` });
    const [batches] = res.json().pipelines;
    expect(batches).toMatchObject({ pipeline: 'loader', stage: 'batches', starved: true });
    expect(batches.reasons.some((r: string) => r.startsWith('starved:'))).toBe(true);
  });

  it('keeps the model and pipeline series of /metrics', async () => {
    const job = startHealthMetrics(ctx);
    await job.refresh();
    const text = await ctx.registry.metrics();
    await job.stop();
    expect(text).toContain('factorywatch_predictions_total{model="m",version="stable"} 30');
    expect(text).toContain('factorywatch_predictions_total{model="secret",version="v1"} 1');
    expect(text).toContain(
      'factorywatch_prediction_latency_seconds_bucket{model="m",version="canary",le="0.025"} 4',
    );
    expect(text).toContain('factorywatch_prediction_latency_seconds_count{model="m",version="canary"} 10');
    expect(text).toContain('factorywatch_labels_total 40');
    expect(text).toContain('factorywatch_model_quality{model="m",version="canary",metric="accuracy"} 0.5');
    expect(text).not.toContain('metric="roc_auc"} null');
    expect(text).toContain('factorywatch_pipeline_rows_total{pipeline="etl",stage="load"} 6000');
    expect(text).toContain('factorywatch_pipeline_queue_depth{pipeline="etl",stage="load"} 3');
    expect(text).toContain('factorywatch_pipeline_status{pipeline="etl",stage="extract",status="stalled"} 1');
    expect(text).toContain('factorywatch_pipeline_status{pipeline="etl",stage="extract",status="ok"} 0');
    expect(text).toMatch(/# TYPE factorywatch_prediction_latency_seconds histogram/);
  });

  it('prints models and pipelines from the CLI, as tables or JSON', async () => {
    const models = captureIo();
    expect(await runModelsCli(['--url', url, '--token', 'x', '--by', 'version'], models.io)).toBe(0);
    expect(models.out()).toMatch(/MODEL\s+VERSION\s+SEGMENT\s+PREDICTIONS/);
    expect(models.out()).toMatch(/m\s+stable\s+\*\s+30\s+.*accuracy=1 precision=1 recall=1 f1=1 roc_auc=1/);

    const json = captureIo();
    expect(await runModelsCli(['--url', url, '--json', '--model', 'm'], json.io)).toBe(0);
    expect(JSON.parse(json.out()).models).toHaveLength(2);

    const pipelines = captureIo();
    expect(await runPipelinesCli(['--url', url], pipelines.io)).toBe(3);
    expect(pipelines.out()).toMatch(/etl\s+extract\s+stalled/);
    expect(pipelines.out()).toContain('etl/extract: no_progress');

    const bad = captureIo();
    expect(await runModelsCli(['--url', url, '--from', 'nope'], bad.io)).toBe(1);
    expect(bad.err()).toContain('QUERY_INVALID');
    const down = captureIo();
    expect(await runPipelinesCli(['--url', 'http://127.0.0.1:9'], down.io)).toBe(1);
    expect(down.err()).toContain('cannot reach the collector');
    expect(await runPipelinesCli(['--bogus'], captureIo().io)).toBe(2);
  });
});
