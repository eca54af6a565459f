/**
 * What the real collector refuses is not retried: per-record rejections inside a 202, a 400 for
 * a malformed body, a 401 for a bad token. Each is counted once and logged once; the collector's
 * own request counter proves that nothing was sent twice.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createMonitor } from '../../src/index.js';
import { Transport } from '../../src/transport.js';
import { startRealCollector, type RealCollector } from '../helpers/collector-process.js';
import { memoryLogger } from '../helpers/fake-collector.js';

let collector: RealCollector;

beforeAll(async () => {
  // A collector stricter than the SDK can know: at most 5 features per prediction.
  collector = await startRealCollector({ maxFeatures: 5 });
});

afterAll(async () => {
  await collector?.dispose();
});

/** factorywatch_http_requests_total for POST /v1/predictions with `status`, from the collector's /metrics. */
async function predictionRequests(status: number): Promise<number> {
  const text = await (
    await fetch(`${collector.url}/metrics`, { headers: { authorization: `Bearer ${collector.adminToken}` } })
  ).text();
  let total = 0;
  for (const line of text.split('\n')) {
    if (!line.startsWith('factorywatch_http_requests_total{')) continue;
    if (
      line.includes('/v1/predictions') &&
      line.includes('method="POST"') &&
      line.includes(`status="${status}"`)
    ) {
      total += Number(line.split(' ').at(-1));
    }
  }
  return total;
}

const tenFeatures = (i: number) => ({ a: i, b: 1, c: 2, d: 3, e: 4, f: 5, g: 6, h: 7, i: 8, j: 9 });

describe('refusals from a real collector', () => {
  it('per-record rejections (HTTP 400 codes inside a 202) are counted and not resent', async () => {
    const logger = memoryLogger();
    const before202 = await predictionRequests(202);
    const monitor = createMonitor({
      endpoint: collector.url,
      token: collector.serviceToken,
      model: 'strict',
      version: '1',
      batchSize: 50,
      logger,
    });
    for (let i = 0; i < 100; i++) monitor.logPrediction({ features: tenFeatures(i), prediction: 1 });
    for (let i = 0; i < 20; i++) monitor.logPrediction({ features: { a: i }, prediction: 1 });
    const stats = await monitor.shutdown({ timeoutMs: 10_000 });
    expect(stats).toMatchObject({ logged: 120, delivered: 20, rejected: 100, retries: 0, requests: 3 });
    expect(await predictionRequests(202)).toBe(before202 + 3);
    expect(await collector.stored('predictions', 20)).toBe(20);
    const lines = logger.lines.filter((l) => l.includes('RECORD_TOO_MANY_FEATURES'));
    expect(lines).toHaveLength(1);
    expect(lines[0]).toMatch(/10 features exceed the limit of 5/);
  });

  it('a 401 for a bad token is not retried', async () => {
    const logger = memoryLogger();
    const before = await predictionRequests(401);
    const monitor = createMonitor({
      endpoint: collector.url,
      token: 'fw_not-a-real-token',
      model: 'strict',
      version: '1',
      batchSize: 10,
      retryBaseDelayMs: 10,
      logger,
    });
    for (let i = 0; i < 30; i++) monitor.logPrediction({ features: { a: i }, prediction: 1 });
    await monitor.flush();
    await new Promise((resolve) => setTimeout(resolve, 300)); // room for a (wrong) retry
    const stats = await monitor.shutdown();
    expect(stats).toMatchObject({ rejected: 30, delivered: 0, retries: 0, requests: 3 });
    expect(await predictionRequests(401)).toBe(before + 3);
    expect(logger.lines.filter((l) => l.includes('AUTH_TOKEN_INVALID'))).toHaveLength(1);
    expect(logger.lines.join()).toMatch(/check the token/);
  });

  it("reads the collector's 400 answers as final, with their code and message", async () => {
    // The SDK's encoder never produces a malformed body, so the malformed bodies are sent
    // through its transport directly; the monitor's handling of a final answer is the same code
    // path as the 401 above (and is unit-tested against a fake 400 in monitor.test.ts).
    const transport = new Transport(new URL(`${collector.url}/`), collector.serviceToken, 5000);
    const envelope = await transport.post(
      'v1/predictions',
      { body: Buffer.from('{"records": 5}'), gzipped: false },
      1,
    );
    expect(envelope).toMatchObject({ kind: 'refused', status: 400, code: 'BODY_INVALID' });
    const json = await transport.post(
      'v1/predictions',
      { body: Buffer.from('{"records": ['), gzipped: false },
      1,
    );
    expect(json).toMatchObject({ kind: 'refused', status: 400, code: 'BODY_UNPARSEABLE' });
    const gzip = await transport.post(
      'v1/labels',
      { body: Buffer.from('not gzip at all'), gzipped: true },
      1,
    );
    expect(gzip).toMatchObject({ kind: 'refused', status: 400, code: 'BODY_UNPARSEABLE' });
    transport.close();
  });
});
