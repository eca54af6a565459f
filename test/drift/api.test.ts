import { captureIo } from '../helpers/capture-io.js';
import { testContext, type TestContext } from '../helpers/context.js';
/** The drift routes, scheduler, metrics and CLI against a real DuckDB store and a real fastify server. */
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import Fastify, { type FastifyInstance } from 'fastify';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runDriftCli } from '../../collector/drift/cli.js';
import { driftRoutes } from '../../collector/drift/routes.js';
import { startDriftScheduler } from '../../collector/drift/scheduler.js';
import { registerErrorHandlers } from '../../collector/http/errors.js';
import { openDuckDbStore } from '../../collector/store/duckdb/index.js';
import type { Store } from '../../collector/store/store.js';
import type { FeatureRow } from '../../collector/ingest/rows.js';
import { batchOf, featureRow } from '../helpers/rows.js';
import { scratchDir } from '../helpers/tmp.js';
import { vegaRows } from './fixtures.js';

const NOW = Date.now();
const seasonDays = (months: number[]) =>
  vegaRows('seattle-weather.csv').filter((r) => months.includes(Number(r.date!.slice(5, 7)))).length;
const N_WINTER = seasonDays([12, 1, 2]);
const N_SUMMER = seasonDays([6, 7, 8]);
const HOUR = 3_600_000;

/** Seattle days of the given months as feature rows spread over [from, from + 50 min). */
function seattleRows(months: Set<number>, from: number, over: Partial<FeatureRow> = {}): FeatureRow[] {
  const days = vegaRows('seattle-weather.csv').filter((r) => months.has(Number(r.date!.slice(5, 7))));
  return days.flatMap((d, i) => {
    const ts = from + Math.floor((i * 50 * 60_000) / days.length);
    return [
      featureRow({ ts, feature: 'temp_max', valueNum: Number(d.temp_max), ...over }),
      featureRow({ ts, feature: 'wind', valueNum: i % 10 === 0 ? null : Number(d.wind), ...over }),
      featureRow({ ts, feature: 'weather', valueNum: null, valueStr: d.weather!, ...over }),
    ];
  });
}

describe('drift API, scheduler, metrics and CLI', () => {
  let store: Store;
  let app: FastifyInstance;
  let ctx: TestContext;
  let url: string;

  beforeAll(async () => {
    store = await openDuckDbStore(join(scratchDir(), 'drift.duckdb'));
    const winter = new Set([12, 1, 2]);
    const summer = new Set([6, 7, 8]);
    await store.ingest.applyBatch(
      batchOf('w', 0, 0, {
        features: [
          ...seattleRows(winter, NOW - 3 * HOUR),
          ...seattleRows(summer, NOW - 55 * 60_000),
          // Another tenant's identical model must never be seen by this tenant.
          ...seattleRows(summer, NOW - 55 * 60_000, { tenant: 'other' }),
        ],
      }),
    );
    ctx = testContext({ store, file: { drift: { intervalSeconds: 1 } } });
    app = Fastify();
    registerErrorHandlers(app);
    app.addHook('preHandler', async (request) => {
      const tenant = (request.headers['x-tenant'] as string | undefined) ?? 'default';
      request.principal = { subject: 'tester', role: 'admin', tenant, tokenId: 't1' };
    });
    await app.register(async (scoped) => driftRoutes(scoped, ctx));
    url = await app.listen({ port: 0, host: '127.0.0.1' });
  });

  afterAll(async () => {
    await app?.close();
    await store?.close();
  });

  it('pins a reference from a window and finds the seasonal drift on demand', async () => {
    const pinned = await app.inject({
      method: 'POST',
      url: '/v1/drift/reference',
      payload: { model: 'm', version: 'v1', source: 'window', from: NOW - 3 * HOUR, to: NOW - 2 * HOUR },
    });
    expect(pinned.statusCode).toBe(201);
    const features = Object.fromEntries(
      pinned.json().features.map((f: { feature: string }) => [f.feature, f]),
    );
    expect(features.temp_max).toMatchObject({ type: 'numeric', n: N_WINTER, missing: 0, sketch: false });
    expect(features.weather).toMatchObject({ type: 'categorical', n: N_WINTER });
    expect(features.wind.missing).toBe(Math.ceil(N_WINTER / 10));
    expect(ctx.audited.at(-1)).toMatchObject({
      kind: 'reference_change',
      action: 'drift.reference',
      resource: 'drift/m/v1/',
      details: { source: 'window', window_from: NOW - 3 * HOUR, window_to: NOW - 2 * HOUR },
    });

    const run = await app.inject({ method: 'POST', url: '/v1/drift/run', payload: { model: 'm' } });
    expect(run.statusCode).toBe(200);
    const results = Object.fromEntries(run.json().results.map((r: { feature: string }) => [r.feature, r]));
    expect(results.temp_max).toMatchObject({
      type: 'numeric',
      drift: true,
      status: 'drift',
      reference_source: 'window',
      n_cur: N_SUMMER,
    });
    expect(results.temp_max.methods.ks.p_value).toBeLessThan(1e-50);
    expect(results.weather).toMatchObject({ type: 'categorical', drift: true });
    expect(results.wind.missing_cur).toBe(Math.ceil(N_SUMMER / 10));

    const metrics = await ctx.registry.metrics();
    expect(metrics).toMatch(
      /factorywatch_drift_detected\{model="m",version="v1",segment="",feature="temp_max"\} 1/,
    );
    expect(metrics).toMatch(
      /factorywatch_drift_psi\{model="m",version="v1",segment="",feature="temp_max"\} \d/,
    );
    expect(metrics).toMatch(
      /factorywatch_feature_missing_ratio\{model="m",version="v1",segment="",feature="wind"\} 0\.1\d*\n/,
    );
    expect(metrics).toMatch(/factorywatch_drift_ks_pvalue\{/);

    const listed = await app.inject({ method: 'GET', url: '/v1/drift?model=m&feature=temp_max' });
    expect(listed.statusCode).toBe(200);
    expect(listed.json().results).toHaveLength(1);
    expect(listed.json().results[0]).toMatchObject({ feature: 'temp_max', drift: true });
    const otherTenant = await app.inject({
      method: 'GET',
      url: '/v1/drift',
      headers: { 'x-tenant': 'nobody' },
    });
    expect(otherTenant.json().results).toEqual([]);
  });

  it('uses an uploaded dataset as reference: the same season is not drift', async () => {
    const summerDays = vegaRows('seattle-weather.csv').filter((r) =>
      [6, 7, 8].includes(Number(r.date!.slice(5, 7))),
    );
    const records = summerDays.map((d) => ({
      temp_max: Number(d.temp_max),
      weather: d.weather!,
      wind: Number(d.wind),
    }));
    const pinned = await app.inject({
      method: 'POST',
      url: '/v1/drift/reference',
      payload: { model: 'm', version: 'v1', source: 'dataset', records },
    });
    expect(pinned.statusCode).toBe(201);
    const run = await app.inject({ method: 'POST', url: '/v1/drift/run', payload: { model: 'm' } });
    const results = Object.fromEntries(run.json().results.map((r: { feature: string }) => [r.feature, r]));
    expect(results.temp_max).toMatchObject({ drift: false, status: 'ok', reference_source: 'dataset' });
    expect(results.temp_max.methods.ks.statistic).toBe(0);
  });

  it('compares with the previous window when told to', async () => {
    const set = await app.inject({
      method: 'POST',
      url: '/v1/drift/reference',
      payload: { model: 'm', version: 'v1', source: 'previous' },
    });
    expect(set.statusCode).toBe(201);
    const run = await app.inject({ method: 'POST', url: '/v1/drift/run', payload: {} });
    const temp = run.json().results.find((r: { feature: string }) => r.feature === 'temp_max');
    // The hour before the current one holds no predictions: nothing to compare with.
    expect(temp).toMatchObject({
      reference_source: 'previous',
      status: 'no_data',
      n_cur: N_SUMMER,
      drift: false,
    });
    expect(temp.reasons).toEqual(['no values in the previous window']);
    expect(run.json().results.every((r: { tenant?: string }) => r.tenant === undefined)).toBe(true);
  });

  it('answers bad requests with a code and a path', async () => {
    const noRecords = await app.inject({
      method: 'POST',
      url: '/v1/drift/reference',
      payload: { model: 'm', version: 'v1', source: 'dataset' },
    });
    expect(noRecords.statusCode).toBe(400);
    expect(noRecords.json().error).toMatchObject({ code: 'BODY_INVALID', path: '/records' });
    const emptyWindow = await app.inject({
      method: 'POST',
      url: '/v1/drift/reference',
      payload: {
        model: 'm',
        version: 'v1',
        source: 'window',
        from: '2001-01-01T00:00:00Z',
        to: '2001-01-02T00:00:00Z',
      },
    });
    expect(emptyWindow.statusCode).toBe(400);
    const badTime = await app.inject({
      method: 'POST',
      url: '/v1/drift/reference',
      payload: { model: 'm', version: 'v1', source: 'window', from: 'yesterday' },
    });
    expect(badTime.json().error).toMatchObject({ code: 'QUERY_INVALID', path: '/from' });
  });

  it('evaluates on its own schedule and stops cleanly', async () => {
    const before = (await store.drift.latestResults('default', { feature: 'temp_max' }))[0]!.evaluatedAt;
    const job = startDriftScheduler(ctx);
    await new Promise((resolve) => setTimeout(resolve, 2500));
    await job.stop();
    const after = (await store.drift.latestResults('default', { feature: 'temp_max' }))[0]!.evaluatedAt;
    expect(after).toBeGreaterThan(before);
    expect((await store.drift.latestResults('other', {})).length).toBeGreaterThan(0);
  });

  it('pins, runs and shows through the CLI', async () => {
    const dir = scratchDir();
    mkdirSync(dir, { recursive: true });
    const file = join(dir, 'winter.csv');
    const winter = vegaRows('seattle-weather.csv').filter((r) =>
      [12, 1, 2].includes(Number(r.date!.slice(5, 7))),
    );
    writeFileSync(
      file,
      ['temp_max,wind,weather', ...winter.map((d) => `${d.temp_max},${d.wind},${d.weather}`)].join('\n'),
    );
    const pin = captureIo();
    expect(
      await runDriftCli(
        ['reference', '--model', 'm', '--version', 'v1', '--file', file, '--url', url],
        pin.io,
      ),
    ).toBe(0);
    expect(pin.out()).toMatch(/reference pinned for m v1: 3 features/);
    await app.inject({ method: 'POST', url: '/v1/drift/run', payload: {} });
    const show = captureIo();
    expect(await runDriftCli(['show', '--model', 'm', '--url', url], show.io)).toBe(0);
    expect(show.out()).toMatch(new RegExp(`temp_max\\s+numeric\\s+${N_WINTER}\\s+${N_SUMMER}.*DRIFT`));
    const json = captureIo();
    expect(await runDriftCli(['show', '--model', 'm', '--json', '--url', url], json.io)).toBe(0);
    expect(JSON.parse(json.out()).results.length).toBe(3);
    const refused = captureIo();
    expect(
      await runDriftCli(['reference', '--model', 'm', '--version', 'v1', '--url', url], refused.io),
    ).toBe(2);
    expect(refused.err()).toMatch(/exactly one of/);
  });
});
