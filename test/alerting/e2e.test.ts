/**
 * End to end on real processes: the collector (`demo`, from dist/ after `npm run build`) →
 * a real Prometheus scraping it with a bearer token and loading the generated rules (test-sized
 * `for:` and intervals) → a real Alertmanager → a local webhook receiver. An allocated GPU that
 * reports zero activity must page as FactorywatchGpuIdleHigh; drifted predictions must page as
 * FactorywatchDriftDetected. Then every collector metric the dashboards and rules use must
 * return data from that Prometheus.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildDashboards } from '../../dashboards/catalogue.js';
import { buildRules, RULE_FILES } from '../../rules/build.js';
import { ALERTS } from '../../rules/catalogue.js';
import { COLLECTOR_JOB } from '../../rules/alerts/collector.js';
import {
  eventually,
  freePort,
  instantQuery,
  startAlertmanager,
  startPrometheus,
  type RunningServer,
} from '../helpers/prometheus.js';
import { scratchDir } from '../helpers/tmp.js';
import { allPromql, collectorMetrics } from '../dashboards/queries.js';

const ROOT = join(import.meta.dirname, '..', '..');
const COLLECTOR_MAIN = join(ROOT, 'dist', 'collector', 'cli', 'main.js');

interface WebhookAlert {
  status: string;
  labels: Record<string, string>;
  annotations: Record<string, string>;
}

let collector: ChildProcess | undefined;
let collectorUrl = '';
let adminToken = '';
let prometheus: RunningServer | undefined;
let alertmanager: RunningServer | undefined;
let webhook: Server | undefined;
const received: WebhookAlert[] = [];

/** Starts `factorywatch demo` and reads the URL and admin token from its banner. */
async function startCollector(): Promise<void> {
  if (!existsSync(COLLECTOR_MAIN))
    throw new Error(`${COLLECTOR_MAIN} is missing: run \`npm run build\` before this suite`);
  const port = await freePort();
  const child = spawn(
    process.execPath,
    [COLLECTOR_MAIN, 'demo', '--port', String(port), '--data-dir', scratchDir('fw-e2e-collector-')],
    {
      stdio: ['ignore', 'pipe', 'pipe'],
    },
  );
  collector = child;
  let output = '';
  child.stdout?.on('data', (chunk: Buffer) => (output += chunk.toString()));
  child.stderr?.on('data', (chunk: Buffer) => (output = (output + chunk.toString()).slice(-20_000)));
  await eventually(
    async () => {
      if (child.exitCode !== null) throw new Error(`collector exited with ${child.exitCode}:\n${output}`);
      const url = /collector\s+(http:\/\/\S+)/.exec(output)?.[1];
      const token = /admin token\s+(\S+)/.exec(output)?.[1];
      if (url === undefined || token === undefined) return undefined;
      collectorUrl = url;
      adminToken = token;
      return true;
    },
    60_000,
    'the collector demo banner (collector URL and admin token)',
  );
}

/** A dcgm-exporter body: one allocated GPU at zero activity, one sample every 10 s for the last 10 minutes. */
function idleGpuExposition(nowMs: number): string {
  const labels =
    'gpu="3",UUID="GPU-e2e0e2e0-0000-4000-8000-000000000003",pci_bus_id="00000000:3B:00.0",device="nvidia3",' +
    'modelName="NVIDIA H100 80GB HBM3",Hostname="e2e-node",DCGM_FI_DRIVER_VERSION="535.183.01",' +
    'container="trainer",namespace="e2e",pod="idle-trainer-0"';
  const lines = ['# TYPE DCGM_FI_PROF_GR_ENGINE_ACTIVE gauge', '# TYPE DCGM_FI_DEV_GPU_UTIL gauge'];
  for (let t = nowMs - 600_000; t <= nowMs; t += 10_000) {
    lines.push(
      `DCGM_FI_PROF_GR_ENGINE_ACTIVE{${labels}} 0.000000 ${t}`,
      `DCGM_FI_DEV_GPU_UTIL{${labels}} 0 ${t}`,
    );
  }
  return lines.join('\n') + '\n';
}

async function collectorPost(
  path: string,
  body: unknown,
  contentType = 'application/json',
): Promise<unknown> {
  const response = await fetch(collectorUrl + path, {
    method: 'POST',
    headers: { Authorization: `Bearer ${adminToken}`, 'Content-Type': contentType },
    body: typeof body === 'string' ? body : JSON.stringify(body),
  });
  const text = await response.text();
  if (response.status >= 300) throw new Error(`POST ${path} answered ${response.status}: ${text}`);
  return text === '' ? undefined : JSON.parse(text);
}

/** A deterministic normal sample (Box-Muller on a fixed LCG), so the drift is always there. */
function normalSample(n: number, mean: number, seed: number): number[] {
  let state = seed;
  const uniform = () => ((state = (state * 1_103_515_245 + 12_345) % 2 ** 31) + 1) / (2 ** 31 + 1);
  return Array.from(
    { length: n },
    () => mean + Math.sqrt(-2 * Math.log(uniform())) * Math.cos(2 * Math.PI * uniform()),
  );
}

function receivedAlert(name: string, labels: Record<string, string>): WebhookAlert | undefined {
  return received.find(
    (alert) =>
      alert.status === 'firing' &&
      alert.labels.alertname === name &&
      Object.entries(labels).every(([k, v]) => alert.labels[k] === v),
  );
}

beforeAll(async () => {
  webhook = createServer((req, res) => {
    let body = '';
    req.on('data', (chunk: Buffer) => (body += chunk.toString()));
    req.on('end', () => {
      const payload = JSON.parse(body) as { alerts: WebhookAlert[] };
      received.push(...payload.alerts);
      res.writeHead(200).end();
    });
  });
  await new Promise<void>((resolve) => webhook!.listen(0, '127.0.0.1', resolve));
  const address = webhook.address();
  if (typeof address !== 'object' || address === null) throw new Error('webhook has no address');

  alertmanager = await startAlertmanager({
    route: {
      receiver: 'test',
      group_by: ['alertname'],
      group_wait: '1s',
      group_interval: '1s',
      repeat_interval: '1m',
    },
    receivers: [
      {
        name: 'test',
        webhook_configs: [{ url: `http://127.0.0.1:${address.port}/alerts`, send_resolved: false }],
      },
    ],
  });

  await startCollector();

  const rulesDir = scratchDir('fw-e2e-rules-');
  await buildRules(rulesDir, {
    runbookBaseUrl: 'https://runbooks.test',
    forOverride: '5s',
    evaluationInterval: '2s',
  });
  const tokenDir = scratchDir('fw-e2e-token-');
  const { writeFileSync } = await import('node:fs');
  writeFileSync(join(tokenDir, 'token'), adminToken);
  prometheus = await startPrometheus({
    config: {
      global: { scrape_interval: '2s', evaluation_interval: '2s' },
      rule_files: [join(rulesDir, RULE_FILES.prometheus)],
      alerting: {
        alertmanagers: [{ static_configs: [{ targets: [alertmanager.url.replace('http://', '')] }] }],
      },
      scrape_configs: [
        {
          job_name: COLLECTOR_JOB,
          authorization: { type: 'Bearer', credentials_file: join(tokenDir, 'token') },
          static_configs: [{ targets: [collectorUrl.replace(/^http:\/\//, '').replace(/\/$/, '')] }],
        },
      ],
    },
  });
}, 180_000);

afterAll(async () => {
  await prometheus?.stop();
  await alertmanager?.stop();
  if (collector && collector.exitCode === null) {
    const exited = new Promise((resolve) => collector!.once('exit', resolve));
    collector.kill('SIGTERM');
    await exited;
  }
  await new Promise((resolve) => (webhook ? webhook.close(resolve) : resolve(undefined)));
});

describe('collector → Prometheus → Alertmanager → webhook', () => {
  it('scrapes the collector with its bearer token', async () => {
    await eventually(
      async () =>
        (await instantQuery(prometheus!.url, `up{job="${COLLECTOR_JOB}"} == 1`)).length === 1
          ? true
          : undefined,
      30_000,
      `up{job="${COLLECTOR_JOB}"} == 1 (scrape errors: ${prometheus?.output() ?? ''})`,
    );
  });

  it('delivers FactorywatchGpuIdleHigh after an allocated GPU reports zero activity', async () => {
    await collectorPost('/v1/gpu-samples', idleGpuExposition(Date.now()), 'text/plain');
    const alert = await eventually(
      async () => {
        // Keep the GPU reporting while we wait, as a live exporter would.
        await collectorPost(
          '/v1/gpu-samples',
          idleGpuExposition(Date.now()).split('\n').slice(0, 2).join('\n') + '\n',
          'text/plain',
        ).catch(() => undefined);
        return receivedAlert('FactorywatchGpuIdleHigh', { namespace: 'e2e', pod: 'idle-trainer-0' });
      },
      150_000,
      'FactorywatchGpuIdleHigh for e2e/idle-trainer-0 at the webhook',
      2_000,
    );
    expect(alert.labels.severity).toBe('warning');
    expect(alert.annotations.runbook_url).toBe('https://runbooks.test/FactorywatchGpuIdleHigh.md');
  }, 180_000);

  it('delivers FactorywatchDriftDetected after drifted predictions arrive', async () => {
    const model = 'e2e-drift';
    const version = 'v1';
    await collectorPost('/v1/drift/reference', {
      model,
      version,
      source: 'dataset',
      records: normalSample(2000, 0, 7).map((x) => ({ x })),
    });
    const records = normalSample(2000, 3, 11).map((x, i) => ({
      model,
      version,
      request_id: `e2e-${i}`,
      features: { x },
      prediction: x > 1 ? 1 : 0,
    }));
    for (let i = 0; i < records.length; i += 500)
      await collectorPost('/v1/predictions', { records: records.slice(i, i + 500) });
    const alert = await eventually(
      async () => {
        await collectorPost('/v1/drift/run', { model, version }).catch(() => undefined);
        return receivedAlert('FactorywatchDriftDetected', { model, version, feature: 'x' });
      },
      150_000,
      `FactorywatchDriftDetected for ${model} ${version} feature x at the webhook`,
      3_000,
    );
    expect(alert.labels.severity).toBe('critical');
  }, 180_000);

  it('returns data for every collector metric the dashboards and rules use', async () => {
    const used = new Set<string>();
    for (const { expr } of allPromql(buildDashboards())) collectorMetrics(expr).forEach((m) => used.add(m));
    for (const alert of ALERTS) collectorMetrics(alert.expr).forEach((m) => used.add(m));
    expect(used.size).toBeGreaterThan(30);
    // One invalid record, so the rejection counter has a series (the 202 keeps valid records).
    await collectorPost('/v1/predictions', {
      records: [{ model: 'e2e-bad', version: 'v1', features: {}, prediction: 'x', latency_ms: 'slow' }],
    });
    const missing = await eventually(
      async () => {
        const absent: string[] = [];
        for (const metric of used) {
          const result = await instantQuery(prometheus!.url, `count({__name__=~"${metric}(_bucket)?"})`);
          if (result.length === 0) absent.push(metric);
        }
        return absent.length === 0 ? absent : undefined;
      },
      60_000,
      'every collector metric used by the dashboards and rules to have a series',
      5_000,
    ).catch(async (error: unknown) => {
      const absent: string[] = [];
      for (const metric of used) {
        if ((await instantQuery(prometheus!.url, `count({__name__=~"${metric}(_bucket)?"})`)).length === 0)
          absent.push(metric);
      }
      throw new Error(`${String(error)}; no data for: ${absent.sort().join(', ')}`);
    });
    expect(missing).toEqual([]);
  }, 120_000);
});
