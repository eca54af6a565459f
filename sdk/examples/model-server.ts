/**
 * A small HTTP model server instrumented with @factorywatch/sdk: it scores the chance that a
 * flight arrives more than 15 minutes late, logs every prediction with its latency, accepts
 * delayed ground truth, and serves the SDK's own metrics for Prometheus.
 *
 *   factorywatch demo                        # prints FACTORYWATCH_URL and FACTORYWATCH_TOKEN
 *   export FACTORYWATCH_URL=… FACTORYWATCH_TOKEN=…
 *   node --import tsx sdk/examples/model-server.ts                 # serve on :8080 until Ctrl-C
 *   node --import tsx sdk/examples/model-server.ts --simulate 2000 # or: send itself 2,000 requests, then exit
 *
 *   curl -s localhost:8080/predict -d '{"distance":1200,"origin":"ORD","dep_hour":18,"carrier":"UA"}'
 *   curl -s localhost:8080/label -d '{"requestId":"…","delayed":true}'
 *   curl -s localhost:9464/metrics | grep factorywatch_sdk
 */
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { randomUUID } from 'node:crypto';
import { parseArgs } from 'node:util';
import { createMonitor, startTelemetry, time } from '../src/index.js';

const { values } = parseArgs({
  options: {
    port: { type: 'string', default: '8080' },
    'metrics-port': { type: 'string', default: '9464' },
    simulate: { type: 'string' },
  },
});

/** The request body of POST /predict. */
interface Flight {
  distance: number;
  origin: string;
  dep_hour: number;
  carrier: string;
  temp_c?: number | null;
}

/** A hand-set logistic model: long evening flights out of busy hubs run late. */
function scoreDelay(flight: Flight): number {
  const hub = ['ORD', 'ATL', 'DFW', 'DEN'].includes(flight.origin) ? 0.6 : 0;
  const evening = flight.dep_hour >= 16 ? 0.8 : 0;
  const z = -2 + flight.distance / 2000 + hub + evening + (flight.carrier === 'WN' ? -0.3 : 0.1);
  return 1 / (1 + Math.exp(-z));
}

const telemetry = await startTelemetry({
  prometheus: { port: Number(values['metrics-port']) },
  serviceName: 'flight-delay-api',
});
if (telemetry.ok) console.error(`SDK metrics at ${telemetry.url}`);

// endpoint and token come from FACTORYWATCH_URL and FACTORYWATCH_TOKEN.
const monitor = createMonitor({
  model: 'flight-delay',
  version: '2024-06',
  segment: 'us',
  flushOnExit: true,
  logger: console,
});

async function readJson(req: IncomingMessage): Promise<unknown> {
  const chunks: Buffer[] = [];
  for await (const chunk of req) chunks.push(chunk as Buffer);
  return JSON.parse(Buffer.concat(chunks).toString('utf8') || '{}') as unknown;
}

function reply(res: ServerResponse, status: number, body: unknown): void {
  res.writeHead(status, { 'content-type': 'application/json' });
  res.end(JSON.stringify(body));
}

const server = createServer((req, res) => {
  void (async () => {
    try {
      if (req.method === 'POST' && req.url === '/predict') {
        const flight = (await readJson(req)) as Flight;
        const elapsed = time();
        const probability = scoreDelay(flight);
        const requestId = randomUUID();
        monitor.logPrediction({
          features: {
            distance: flight.distance,
            origin: flight.origin,
            dep_hour: flight.dep_hour,
            carrier: flight.carrier,
            temp_c: flight.temp_c ?? null,
          },
          prediction: probability,
          latencyMs: elapsed(),
          requestId,
        });
        return reply(res, 200, { requestId, probability });
      }
      if (req.method === 'POST' && req.url === '/label') {
        const { requestId, delayed } = (await readJson(req)) as { requestId: string; delayed: boolean };
        monitor.logLabel(requestId, delayed);
        return reply(res, 202, { ok: true });
      }
      if (req.method === 'GET' && req.url === '/stats') return reply(res, 200, monitor.stats());
      reply(res, 404, { error: 'POST /predict, POST /label or GET /stats' });
    } catch (error) {
      reply(res, 400, { error: String(error) });
    }
  })();
});

await new Promise<void>((resolve) => server.listen(values.simulate ? 0 : Number(values.port), resolve));
const base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
console.error(`flight-delay model server on ${base}`);

if (values.simulate !== undefined) {
  // Play client: random flights, and the truth for a third of them a little later.
  const origins = ['ORD', 'ATL', 'SEA', 'BOS', 'DFW', 'SFO'];
  const carriers = ['UA', 'AA', 'WN', 'DL'];
  for (let i = 0; i < Number(values.simulate); i++) {
    const flight: Flight = {
      distance: 150 + Math.round(Math.random() * 2500),
      origin: origins[i % origins.length] ?? 'ORD',
      dep_hour: i % 24,
      carrier: carriers[i % carriers.length] ?? 'UA',
      temp_c: i % 9 === 0 ? null : Math.round(Math.random() * 35),
    };
    const response = await fetch(`${base}/predict`, { method: 'POST', body: JSON.stringify(flight) });
    const { requestId, probability } = (await response.json()) as { requestId: string; probability: number };
    if (i % 3 === 0) {
      const delayed = Math.random() < probability;
      await fetch(`${base}/label`, { method: 'POST', body: JSON.stringify({ requestId, delayed }) });
    }
  }
  server.close();
  const stats = await monitor.shutdown();
  await telemetry.shutdown();
  console.log(JSON.stringify(stats));
  process.exitCode = stats.delivered === stats.logged ? 0 : 1;
}
