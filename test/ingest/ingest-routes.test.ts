import { gzipSync } from 'node:zlib';
import { afterEach, describe, expect, it } from 'vitest';
import { openTestCollector, type TestCollector } from '../helpers/collector.js';

function prediction(i: number) {
  return {
    model: 'ranker',
    version: 'v1',
    request_id: `r-${i}`,
    features: { f0: i, f1: i * 2, f2: 'a', f3: null, f4: 1.5, f5: 2, f6: 3, f7: 4, f8: 'b', f9: 0 },
    prediction: 0.7,
    latency_ms: 4,
  };
}

async function storedCount(t: TestCollector, stream: string): Promise<number> {
  await t.collector.writer.drained();
  const stats = (await t.request('GET', '/v1/stats')).json() as {
    streams: { stream: string; records: number }[];
  };
  return stats.streams.find((s) => s.stream === stream)?.records ?? -1;
}

describe('ingest routes', () => {
  let t: TestCollector;
  afterEach(async () => t?.close());

  it('keeps the valid records of a mixed batch and names each rejected one with code and path', async () => {
    t = await openTestCollector();
    const records: unknown[] = Array.from({ length: 1000 }, (_, i) => prediction(i));
    records[17] = { ...prediction(17), features: { f0: [1, 2] } };
    records[500] = { ...prediction(500), model: undefined };
    records[999] = { ...prediction(999), ts: 'yesterday-ish' };
    const response = await t.request('POST', '/v1/predictions', { token: t.serviceToken, body: { records } });
    expect(response.statusCode).toBe(202);
    const body = response.json() as {
      accepted: number;
      rejected: { index: number; code: string; path: string }[];
    };
    expect(body.accepted).toBe(997);
    expect(body.rejected.map((r) => [r.index, r.code, r.path])).toEqual([
      [17, 'RECORD_FIELD_TYPE', '/records/17/features/f0'],
      [500, 'RECORD_FIELD_MISSING', '/records/500/model'],
      [999, 'RECORD_TIMESTAMP_INVALID', '/records/999/ts'],
    ]);
    expect(await storedCount(t, 'predictions')).toBe(997);
  });

  it('answers 400 with a code when the body is not parseable, and stores nothing', async () => {
    t = await openTestCollector();
    const response = await t.request('POST', '/v1/predictions', {
      body: '{"records": [ {"model": "m"',
      headers: { 'content-type': 'application/json' },
    });
    expect(response.statusCode).toBe(400);
    expect(response.json()).toMatchObject({ error: { code: 'BODY_UNPARSEABLE' } });
    const notEnvelope = await t.request('POST', '/v1/predictions', { body: { rows: [] } });
    expect(notEnvelope.statusCode).toBe(400);
    expect(notEnvelope.json()).toMatchObject({ error: { code: 'BODY_INVALID', path: '/records' } });
    expect(await storedCount(t, 'predictions')).toBe(0);
  });

  it('takes NDJSON and gzip, rejecting an unparseable line alone', async () => {
    t = await openTestCollector();
    const lines = [JSON.stringify(prediction(1)), '{nope', JSON.stringify(prediction(2))].join('\n');
    const response = await t.request('POST', '/v1/predictions', {
      body: gzipSync(lines),
      headers: { 'content-type': 'application/x-ndjson', 'content-encoding': 'gzip' },
    });
    expect(response.statusCode).toBe(202);
    expect(response.json()).toMatchObject({
      accepted: 2,
      rejected: [{ index: 1, code: 'RECORD_UNPARSEABLE', path: '/records/1' }],
    });
    expect(await storedCount(t, 'predictions')).toBe(2);
  });

  it('stores labels, pipeline stats and dcgm-exporter samples with their timestamps', async () => {
    t = await openTestCollector();
    const labels = await t.request('POST', '/v1/labels', {
      body: { records: [{ request_id: 'r-1', label: 1 }] },
    });
    expect(labels.json()).toEqual({ accepted: 1, rejected: [] });
    const stats = await t.request('POST', '/v1/pipeline-stats', {
      body: {
        records: [
          { pipeline: 'etl', stage: 'load', rows_in: 10, rows_out: -1 },
          { pipeline: 'etl', stage: 'load', rows_in: 10, rows_out: 9 },
        ],
      },
    });
    expect(stats.json()).toMatchObject({
      accepted: 1,
      rejected: [{ index: 0, code: 'RECORD_FIELD_RANGE', path: '/records/0/rows_out' }],
    });
    const exposition = [
      '# TYPE DCGM_FI_DEV_GPU_UTIL gauge',
      'DCGM_FI_DEV_GPU_UTIL{gpu="0",UUID="GPU-a",Hostname="h1",modelName="NVIDIA H100 80GB HBM3"} 87 1767225600000',
      'DCGM_FI_DEV_GPU_UTIL{gpu="1",UUID="GPU-b",Hostname="h1"} 0',
      'this line is broken {',
    ].join('\n');
    const gpu = await t.request('POST', '/v1/gpu-samples', {
      body: exposition,
      headers: { 'content-type': 'text/plain' },
    });
    expect(gpu.statusCode).toBe(202);
    expect(gpu.json()).toMatchObject({
      accepted: 2,
      rejected: [{ index: 4, code: 'EXPOSITION_LINE_INVALID' }],
    });
    expect(await storedCount(t, 'gpu_samples')).toBe(2);
    const stored = (await t.request('GET', '/v1/stats')).json() as {
      streams: { stream: string; records: number; last_ts: number }[];
    };
    expect(stored.streams.find((s) => s.stream === 'labels')?.records).toBe(1);
    expect(stored.streams.find((s) => s.stream === 'pipeline_stats')?.records).toBe(1);
    expect(stored.streams.find((s) => s.stream === 'gpu_samples')?.last_ts).toBeGreaterThan(1767225600000);
  });

  it('answers 413 past the body limit', async () => {
    t = await openTestCollector({ bodyLimitBytes: 4096 });
    const records = Array.from({ length: 100 }, (_, i) => prediction(i));
    const response = await t.request('POST', '/v1/predictions', { body: { records } });
    expect(response.statusCode).toBe(413);
    expect(response.json()).toMatchObject({ error: { code: 'BODY_TOO_LARGE' } });
    const bomb = gzipSync(Buffer.alloc(1 << 20, 32));
    const compressed = await t.request('POST', '/v1/predictions', {
      body: bomb,
      headers: { 'content-type': 'application/json', 'content-encoding': 'gzip' },
    });
    expect(compressed.statusCode).toBe(413);
  });

  it('answers 503 with Retry-After once the WAL cap is reached, and accepts again after draining', async () => {
    t = await openTestCollector({ wal: { maxBytes: 20_000 } });
    // Hold the writer so the backlog cannot drain while we fill the log.
    await t.collector.writer.stop();
    const body = { records: Array.from({ length: 20 }, (_, i) => prediction(i)) };
    let response = await t.request('POST', '/v1/predictions', { body });
    for (let i = 0; i < 20 && response.statusCode === 202; i++)
      response = await t.request('POST', '/v1/predictions', { body });
    expect(response.statusCode).toBe(503);
    expect(response.headers['retry-after']).toBe('5');
    expect(response.json()).toMatchObject({ error: { code: 'WAL_FULL' } });
    const metrics = await t.request('GET', '/metrics');
    expect(metrics.body).toMatch(/factorywatch_wal_backlog_bytes \d{4,}/);
  });

  it('counts ingested and rejected records in /metrics', async () => {
    t = await openTestCollector();
    await t.request('POST', '/v1/predictions', { body: { records: [prediction(1), { nope: 1 }] } });
    const metrics = (await t.request('GET', '/metrics')).body;
    expect(metrics).toContain('factorywatch_ingest_records_total{stream="predictions"} 1');
    expect(metrics).toContain(
      'factorywatch_ingest_rejected_total{stream="predictions",code="RECORD_FIELD_MISSING"} 1',
    );
  });

  it('needs a token everywhere but /healthz, and lets a service token ingest only', async () => {
    t = await openTestCollector();
    expect((await t.request('GET', '/healthz', { token: null })).statusCode).toBe(200);
    expect((await t.request('GET', '/v1/stats', { token: null })).statusCode).toBe(401);
    expect((await t.request('GET', '/v1/stats', { token: 'fw_notatoken' })).statusCode).toBe(401);
    expect((await t.request('GET', '/v1/stats', { token: t.serviceToken })).statusCode).toBe(403);
    expect((await t.request('GET', '/nope')).statusCode).toBe(404);
  });
});
