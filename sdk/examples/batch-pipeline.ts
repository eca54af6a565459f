/**
 * A nightly batch pipeline instrumented with @factorywatch/sdk: four stages (extract, validate,
 * featurize, score) each report rows in/out, errors, bytes and duration, and the scoring stage
 * logs its predictions. It runs once and exits, delivering everything before it does.
 *
 *   factorywatch demo                        # prints FACTORYWATCH_URL and FACTORYWATCH_TOKEN
 *   export FACTORYWATCH_URL=… FACTORYWATCH_TOKEN=…
 *   node --import tsx sdk/examples/batch-pipeline.ts --rows 5000
 *   npx factorywatch pipelines               # see the run
 */
import { randomUUID } from 'node:crypto';
import { parseArgs } from 'node:util';
import { createMonitor, type PipelineStatInput } from '../src/index.js';

const { values } = parseArgs({ options: { rows: { type: 'string', default: '5000' } } });
const rows = Number(values.rows);
const runId = randomUUID();

// endpoint and token come from FACTORYWATCH_URL and FACTORYWATCH_TOKEN.
const monitor = createMonitor({ model: 'churn', version: 'nightly-7', batchSize: 1000, logger: console });

interface Customer {
  id: string;
  tenure_months: number;
  monthly_spend: number | null;
  plan: string;
  support_tickets: number;
}

/** Runs one stage, timing it and reporting what went in and out. */
async function stage<I, O>(name: string, input: I[], work: (rows: I[]) => O[] | Promise<O[]>): Promise<O[]> {
  const started = performance.now();
  const reporter = monitor.pipeline('nightly-churn', name);
  reporter.record({ rowsIn: input.length, rowsOut: 0, status: 'running', runId });
  let output: O[] = [];
  let status: PipelineStatInput['status'] = 'ok';
  try {
    output = await work(input);
  } catch (error) {
    status = 'failed';
    console.error(`stage ${name} failed: ${String(error)}`);
  }
  reporter.record({
    rowsIn: input.length,
    rowsOut: output.length,
    errors: input.length - output.length,
    bytes: Buffer.byteLength(JSON.stringify(output)),
    durationMs: performance.now() - started,
    status,
    runId,
  });
  return output;
}

const plans = ['basic', 'plus', 'pro'];
const extracted = await stage(
  'extract',
  Array.from({ length: rows }, (_, i) => i),
  (ids) =>
    ids.map((i): Customer => ({
      id: `c-${i}`,
      tenure_months: Math.round(Math.random() * 72),
      // Some upstream rows miss their spend, and a few are corrupt.
      monthly_spend: i % 50 === 0 ? null : i % 97 === 0 ? -1 : Math.round(Math.random() * 20000) / 100,
      plan: plans[i % plans.length] ?? 'basic',
      support_tickets: Math.floor(Math.random() * 6),
    })),
);
const valid = await stage('validate', extracted, (customers) =>
  customers.filter((c) => c.monthly_spend === null || c.monthly_spend >= 0),
);
const features = await stage('featurize', valid, (customers) =>
  customers.map((c) => ({
    id: c.id,
    features: {
      tenure_months: c.tenure_months,
      monthly_spend: c.monthly_spend,
      plan: c.plan,
      tickets_per_year: c.tenure_months > 0 ? (c.support_tickets * 12) / c.tenure_months : null,
    },
  })),
);
await stage('score', features, (batch) =>
  batch.map(({ id, features: f }) => {
    const z = -1.5 + (f.tickets_per_year ?? 0) * 0.3 - f.tenure_months / 48 + (f.plan === 'basic' ? 0.4 : 0);
    const churn = 1 / (1 + Math.exp(-z));
    monitor.logPrediction({ features: f, prediction: churn, requestId: `${runId}:${id}` });
    return { id, churn };
  }),
);

const stats = await monitor.shutdown({ timeoutMs: 15_000 });
console.log(JSON.stringify(stats));
process.exitCode = stats.delivered === stats.logged ? 0 : 1;
