/**
 * Property-based fuzzing of the ingest routes: whatever a client sends (random JSON, random
 * records, random bytes, random exposition text), the collector answers without a 5xx and keeps
 * serving.
 */
import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openTestCollector, type TestCollector } from '../helpers/collector.js';

const ROUTES = ['/v1/predictions', '/v1/labels', '/v1/pipeline-stats', '/v1/gpu-samples'] as const;
const CONTENT_TYPES = ['application/json', 'application/x-ndjson', 'text/plain', 'application/octet-stream'];

const scalar = fc.oneof(fc.string(), fc.double(), fc.integer(), fc.boolean(), fc.constant(null));
const recordLike = fc.record(
  {
    model: scalar,
    version: scalar,
    ts: fc.oneof(fc.integer(), fc.string(), fc.double()),
    request_id: scalar,
    features: fc.oneof(fc.dictionary(fc.string(), scalar), scalar),
    prediction: scalar,
    label: scalar,
    latency_ms: scalar,
    pipeline: scalar,
    stage: scalar,
    rows_in: scalar,
    rows_out: scalar,
  },
  { requiredKeys: [] },
);
const body = fc.oneof(
  fc.json(),
  fc.array(recordLike, { maxLength: 20 }).map((records) => JSON.stringify({ records })),
  fc.array(recordLike, { maxLength: 20 }).map((records) => records.map((r) => JSON.stringify(r)).join('\n')),
  fc.uint8Array({ maxLength: 300 }).map((bytes) => Buffer.from(bytes).toString('latin1')),
  fc
    .array(fc.tuple(fc.string(), fc.dictionary(fc.string(), fc.string()), fc.string()), { maxLength: 10 })
    .map((lines) =>
      lines
        .map(
          ([name, labels, value]) =>
            `DCGM_FI_${name}{${Object.entries(labels)
              .map(([k, v]) => `${k}="${v}"`)
              .join(',')}} ${value}`,
        )
        .join('\n'),
    ),
);

describe('ingest fuzzing', () => {
  let t: TestCollector;
  beforeAll(async () => {
    t = await openTestCollector();
  });
  afterAll(async () => t.close());

  it('never answers 5xx and never crashes, over 1,000 random requests', async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.constantFrom(...ROUTES),
        fc.constantFrom(...CONTENT_TYPES),
        body,
        async (route, contentType, payload) => {
          const response = await t.collector.app.inject({
            method: 'POST',
            url: route,
            headers: { authorization: `Bearer ${t.serviceToken}`, 'content-type': contentType },
            payload,
          });
          expect(response.statusCode, response.body).toBeLessThan(500);
          expect(() => JSON.parse(response.body)).not.toThrow();
        },
      ),
      { numRuns: 1000 },
    );
    expect((await t.request('GET', '/healthz', { token: null })).statusCode).toBe(200);
  });
});
