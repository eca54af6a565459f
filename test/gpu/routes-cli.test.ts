/** GET /v1/gpu/idle through fastify (inject) and `gpu idle` against a listening server, on a real store. */
import { PassThrough } from 'node:stream';
import fastify, { type FastifyInstance } from 'fastify';
import pino from 'pino';
import { Registry } from 'prom-client';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { resolveConfig } from '../../collector/config/config.js';
import { runGpuCli } from '../../collector/gpu/cli.js';
import { gpuRoutes } from '../../collector/gpu/routes.js';
import type { AppContext } from '../../collector/http/context.js';
import { registerErrorHandlers } from '../../collector/http/errors.js';
import type { Store } from '../../collector/store/store.js';
import { fixture, loadExposition, openScratchStore, T0 } from './helpers.js';

let store: Store;
let app: FastifyInstance;
let url: string;

beforeAll(async () => {
  store = await openScratchStore();
  await loadExposition(store, fixture('idle-trace.prom'));
  const ctx: AppContext = {
    config: resolveConfig({}),
    store,
    registry: new Registry(),
    logger: pino({ level: 'silent' }),
    audit: { append: () => undefined },
    ingest: { appendGpuSamples: async () => undefined },
  };
  app = fastify();
  registerErrorHandlers(app);
  // The seam: the lead's auth hook would set the principal from the bearer token.
  app.addHook('preHandler', async (request) => {
    const tenant = (request.headers['x-test-tenant'] as string | undefined) ?? 'default';
    request.principal = { subject: 'test', role: 'sre', tenant, tokenId: 't1' };
  });
  await gpuRoutes(app, ctx);
  url = await app.listen({ port: 0, host: '127.0.0.1' });
});
afterAll(async () => {
  await app.close();
  await store.close();
});

const window = `from=${T0}&until=${new Date(T0 + 3_600_000).toISOString()}`;

describe('GET /v1/gpu/idle', () => {
  it('answers the report with exactly the documented fields', async () => {
    const response = await app.inject(`/v1/gpu/idle?${window}&by=host`);
    expect(response.statusCode).toBe(200);
    const body = response.json();
    expect(Object.keys(body).sort()).toEqual(['from', 'rows', 'threshold', 'until']);
    expect(body).toMatchObject({ from: T0, until: T0 + 3_600_000, threshold: 0.05 });
    expect(body.rows[0]).toEqual({
      host: 'n2',
      gpu: null,
      uuid: null,
      mig_instance: null,
      model_name: null,
      namespace: null,
      pod: null,
      observed_seconds: 450,
      idle_seconds: 330,
      idle_ratio: 330 / 450,
      allocated_idle_seconds: 60,
      unallocated_idle_seconds: 270,
      data_starved_seconds: 0,
      idle_cost: body.rows[0].idle_cost,
    });
  });

  it('scopes the report to the caller tenant', async () => {
    const response = await app.inject({
      url: `/v1/gpu/idle?${window}`,
      headers: { 'x-test-tenant': 'acme' },
    });
    expect(response.json().rows).toEqual([]);
  });

  it('rejects a bad grouping or window with QUERY_INVALID and the parameter path', async () => {
    const bad = await app.inject(`/v1/gpu/idle?${window}&by=rack`);
    expect(bad.statusCode).toBe(400);
    expect(bad.json().error).toMatchObject({ code: 'QUERY_INVALID', path: '/querystring/by' });
    const time = await app.inject('/v1/gpu/idle?from=yesterday');
    expect(time.json().error).toMatchObject({ code: 'QUERY_INVALID', path: '/querystring/from' });
    const reversed = await app.inject(`/v1/gpu/idle?from=${T0 + 10}&until=${T0}`);
    expect(reversed.json().error.code).toBe('QUERY_INVALID');
  });
});

async function cli(args: string[]): Promise<{ code: number; out: string; err: string }> {
  const stdout = new PassThrough();
  const stderr = new PassThrough();
  let out = '';
  let err = '';
  stdout.on('data', (c) => (out += String(c)));
  stderr.on('data', (c) => (err += String(c)));
  const code = await runGpuCli(args, { stdout, stderr });
  return { code, out, err };
}

describe('factorywatch gpu idle', () => {
  const until = String(T0 + 3_600_000);

  it('prints a table sorted by wasted GPU-hours with a total', async () => {
    const { code, out } = await cli(['idle', '--url', url, '--since', '1h', '--until', until, '--by', 'pod']);
    expect(code).toBe(0);
    const lines = out.trim().split('\n');
    expect(lines[1]).toMatch(/^NAMESPACE\s+POD\s+OBSERVED_H\s+IDLE_H/);
    expect(lines[2]).toMatch(/^\(unallocated\)\s+\(unallocated\)\s+0\.09\s+0\.07\s+81\.8\s/);
    expect(lines[3]).toMatch(/^ml\s+train-0/);
    expect(lines.at(-1)).toMatch(/^TOTAL\s+0\.21\s+0\.13\s+60\.0/);
  });

  it('prints the JSON of the API with --json', async () => {
    const { code, out } = await cli(['idle', '--url', url, '--since', '1h', '--until', until, '--json']);
    expect(code).toBe(0);
    expect(JSON.parse(out).rows).toHaveLength(4);
  });

  it('fails with exit codes 2 for usage and 1 for an unreachable collector', async () => {
    expect((await cli(['idle', '--by', 'rack'])).code).toBe(2);
    expect((await cli(['idle', '--since', 'soon'])).code).toBe(2);
    const down = await cli(['idle', '--url', 'http://127.0.0.1:9']);
    expect(down.code).toBe(1);
    expect(down.err).toContain('cannot reach the collector');
  });
});
