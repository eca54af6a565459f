/**
 * Real Prometheus and Alertmanager for tests: started from the Debian binaries on free loopback
 * ports with scratch data directories (never the systemd services), stopped by pid. A missing
 * tool fails the suite with the command that installs it; nothing is ever skipped.
 */
import { execFileSync, spawn, type ChildProcess } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { join } from 'node:path';
import { stringify } from 'yaml';
import { scratchDir } from './tmp.js';

const INSTALL_HINT =
  'run test/setup/ensure-prometheus.sh as root (apt-get install -y prometheus prometheus-alertmanager)';

/** The absolute path of the first of `names` on PATH; throws with an install hint when none is. */
export function requireTool(...names: string[]): string {
  for (const name of names) {
    try {
      const found = execFileSync('sh', ['-c', `command -v ${name}`], { encoding: 'utf8' }).trim();
      if (found !== '') return found;
    } catch {
      // not this name; try the next
    }
  }
  throw new Error(`${names.join(' / ')} not found on PATH: ${INSTALL_HINT}`);
}

/** Debian installs Alertmanager as prometheus-alertmanager; upstream tarballs call it alertmanager. */
export function alertmanagerBinary(): string {
  return requireTool('alertmanager', 'prometheus-alertmanager');
}

/** A free TCP port on 127.0.0.1 (the OS picks it; the listener is closed before returning). */
export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.unref();
    server.on('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      server.close(() =>
        typeof address === 'object' && address !== null
          ? resolve(address.port)
          : reject(new Error('no port')),
      );
    });
  });
}

/** A started server process: its URL and how to stop it. */
export interface RunningServer {
  readonly url: string;
  readonly dataDir: string;
  /** Everything the process wrote so far, for failure messages. */
  output(): string;
  stop(): Promise<void>;
}

async function waitUntilReady(
  url: string,
  child: ChildProcess,
  output: () => string,
  timeoutMs: number,
): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    if (child.exitCode !== null)
      throw new Error(`process exited with ${child.exitCode} before ${url} was ready:\n${output()}`);
    try {
      const response = await fetch(url);
      if (response.ok) return;
    } catch {
      // not listening yet
    }
    await new Promise((resolve) => setTimeout(resolve, 200));
  }
  throw new Error(`${url} not ready after ${timeoutMs} ms:\n${output()}`);
}

function startProcess(
  binary: string,
  args: string[],
  readyUrl: string,
  dataDir: string,
  baseUrl: string,
): Promise<RunningServer> {
  const child = spawn(binary, args, { stdio: ['ignore', 'pipe', 'pipe'] });
  let log = '';
  const append = (chunk: Buffer) => {
    // Keep the tail only: a long run must not hold megabytes of logs.
    log = (log + chunk.toString()).slice(-20_000);
  };
  child.stdout?.on('data', append);
  child.stderr?.on('data', append);
  const output = () => log;
  const stop = () =>
    new Promise<void>((resolve) => {
      if (child.exitCode !== null || child.signalCode !== null) return resolve();
      child.once('exit', () => resolve());
      child.kill('SIGTERM');
      setTimeout(() => child.kill('SIGKILL'), 5000).unref();
    });
  return waitUntilReady(readyUrl, child, output, 30_000).then(
    () => ({ url: baseUrl, dataDir, output, stop }),
    async (error: unknown) => {
      await stop();
      throw error;
    },
  );
}

/** Options of a test Prometheus: its whole configuration and any rule files it loads. */
export interface PrometheusOptions {
  /** prometheus.yml content (an object); rule_files paths may be absolute. */
  readonly config: Record<string, unknown>;
}

/** Starts Prometheus with `config` on a free port; `--web.enable-lifecycle` allows /-/reload. */
export async function startPrometheus(options: PrometheusOptions): Promise<RunningServer> {
  const binary = requireTool('prometheus');
  const dataDir = scratchDir('fw-prometheus-');
  const configPath = join(dataDir, 'prometheus.yml');
  writeFileSync(configPath, stringify(options.config));
  const port = await freePort();
  const url = `http://127.0.0.1:${port}`;
  return startProcess(
    binary,
    [
      `--config.file=${configPath}`,
      `--storage.tsdb.path=${join(dataDir, 'tsdb')}`,
      `--web.listen-address=127.0.0.1:${port}`,
      '--web.enable-lifecycle',
      '--log.level=warn',
    ],
    `${url}/-/ready`,
    dataDir,
    url,
  );
}

/** Starts Alertmanager with `config` (alertmanager.yml as an object) on free ports, clustering off. */
export async function startAlertmanager(config: Record<string, unknown>): Promise<RunningServer> {
  const binary = alertmanagerBinary();
  const dataDir = scratchDir('fw-alertmanager-');
  const configPath = join(dataDir, 'alertmanager.yml');
  writeFileSync(configPath, stringify(config));
  const port = await freePort();
  const url = `http://127.0.0.1:${port}`;
  return startProcess(
    binary,
    [
      `--config.file=${configPath}`,
      `--storage.path=${dataDir}`,
      `--web.listen-address=127.0.0.1:${port}`,
      // An empty listen address turns the gossip cluster off: no second port, no peers.
      '--cluster.listen-address=',
      '--log.level=warn',
    ],
    `${url}/-/ready`,
    dataDir,
    url,
  );
}

/** Runs an instant query against `prometheusUrl` and returns the result vector. */
export async function instantQuery(
  prometheusUrl: string,
  expr: string,
): Promise<{ metric: Record<string, string>; value: [number, string] }[]> {
  const response = await fetch(`${prometheusUrl}/api/v1/query?query=${encodeURIComponent(expr)}`);
  const body = (await response.json()) as {
    status: string;
    error?: string;
    data?: { resultType: string; result: unknown };
  };
  if (body.status !== 'success') throw new Error(`query ${expr} failed: ${body.error ?? response.status}`);
  if (body.data?.resultType !== 'vector')
    throw new Error(`query ${expr} returned ${body.data?.resultType}, not a vector`);
  return body.data.result as { metric: Record<string, string>; value: [number, string] }[];
}

/** Polls `check` every `intervalMs` until it returns a value (not undefined) or `timeoutMs` passes. */
export async function eventually<T>(
  check: () => Promise<T | undefined>,
  timeoutMs: number,
  what: string,
  intervalMs = 500,
): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  let lastError: unknown;
  while (Date.now() < deadline) {
    try {
      const value = await check();
      if (value !== undefined) return value;
    } catch (error) {
      lastError = error;
    }
    await new Promise((resolve) => setTimeout(resolve, intervalMs));
  }
  throw new Error(
    `timed out after ${timeoutMs} ms waiting for ${what}${lastError ? `: ${String(lastError)}` : ''}`,
  );
}
