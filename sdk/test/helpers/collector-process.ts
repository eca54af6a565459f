/**
 * A real factorywatch collector as a child process, for the SDK's integration tests: the built
 * CLI (`dist/collector/cli/main.js`, made by `npm run build`, which `npm test` runs first), on a
 * fixed free port so it can be stopped and restarted where the SDK expects it, with its own
 * scratch data dir and real tokens made by `factorywatch token create`.
 */
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { closedPort } from './fake-collector.js';

const CLI = fileURLToPath(new URL('../../../dist/collector/cli/main.js', import.meta.url));

/** The collector's GET /v1/stats answer (the part the tests read). */
export interface CollectorStats {
  streams: { stream: string; records: number; last_ts: number | null }[];
  wal: { backlog_bytes: number; applied_seq?: number; next_seq?: number };
}

export interface RealCollector {
  readonly url: string;
  readonly dataDir: string;
  readonly adminToken: string;
  readonly serviceToken: string;
  /** GET /v1/stats with the admin token. */
  stats(): Promise<CollectorStats>;
  /**
   * Records stored for `stream` once the WAL has drained into the store and the count has
   * reached `expected` (the store's count can lag the WAL's applied mark by a moment); after
   * `timeoutMs` it returns whatever count there is, for the test's assertion to report.
   */
  stored(stream: string, expected: number, timeoutMs?: number): Promise<number>;
  /** SIGTERM and wait for the exit (a clean shutdown). */
  stop(): Promise<void>;
  /** Starts it again on the same port and data dir. */
  restart(): Promise<void>;
  /** Stops it and removes its data dir. */
  dispose(): Promise<void>;
}

/** The collector's environment: ours minus any FACTORYWATCH_* that would override the flags. */
function cleanEnv(): NodeJS.ProcessEnv {
  return Object.fromEntries(Object.entries(process.env).filter(([k]) => !k.startsWith('FACTORYWATCH_')));
}

function createToken(dataDir: string, role: string): string {
  const result = spawnSync(
    process.execPath,
    [CLI, 'token', 'create', '--subject', `sdk-${role}`, '--role', role, '--data-dir', dataDir],
    { encoding: 'utf8', env: cleanEnv() },
  );
  const token = result.stdout.split('\n')[0]?.trim() ?? '';
  if (result.status !== 0 || token === '') {
    throw new Error(`factorywatch token create exited ${result.status}: ${result.stderr}`);
  }
  return token;
}

/**
 * Starts a collector. `config` (optional) is written as its YAML/JSON config file.
 *
 * @example
 * ```ts
 * const collector = await startRealCollector();
 * const monitor = createMonitor({ endpoint: collector.url, token: collector.serviceToken, model: 'm', version: '1' });
 * ```
 */
export async function startRealCollector(config?: Record<string, unknown>): Promise<RealCollector> {
  if (!existsSync(CLI))
    throw new Error(`${CLI} is missing: run \`npm run build\` at the repository root first (npm test does).`);
  const dataDir = mkdtempSync(join(tmpdir(), 'fw-sdk-'));
  const port = await closedPort();
  const url = `http://127.0.0.1:${port}`;
  const adminToken = createToken(dataDir, 'admin');
  const serviceToken = createToken(dataDir, 'service');
  const args = [
    'start',
    '--port',
    String(port),
    '--host',
    '127.0.0.1',
    '--data-dir',
    dataDir,
    '--log-level',
    'warn',
  ];
  if (config !== undefined) {
    const file = join(dataDir, 'config.json');
    writeFileSync(file, JSON.stringify(config));
    args.push('--config', file);
  }
  let child: ChildProcess | undefined;
  let exited: Promise<void> = Promise.resolve();
  let output = '';

  async function launch(): Promise<void> {
    const proc = spawn(process.execPath, [CLI, ...args], {
      env: cleanEnv(),
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    child = proc;
    proc.stdout?.on('data', (chunk: Buffer) => (output += chunk.toString()));
    proc.stderr?.on('data', (chunk: Buffer) => (output += chunk.toString()));
    let gone = false;
    exited = new Promise<void>((resolve) =>
      proc.once('exit', () => {
        gone = true;
        resolve();
      }),
    );
    const deadline = Date.now() + 60_000;
    for (;;) {
      if (gone) throw new Error(`the collector exited before answering /healthz:\n${output}`);
      if (Date.now() > deadline)
        throw new Error(`the collector did not answer /healthz within 60 s:\n${output}`);
      try {
        if ((await fetch(`${url}/healthz`)).status === 200) return;
      } catch {
        /* not listening yet */
      }
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
  }

  async function stop(): Promise<void> {
    if (child === undefined || child.exitCode !== null || child.signalCode !== null) return;
    child.kill('SIGTERM');
    const killer = setTimeout(() => child?.kill('SIGKILL'), 20_000);
    await exited;
    clearTimeout(killer);
  }

  async function stats(): Promise<CollectorStats> {
    const response = await fetch(`${url}/v1/stats`, { headers: { authorization: `Bearer ${adminToken}` } });
    if (response.status !== 200)
      throw new Error(`GET /v1/stats answered ${response.status}: ${await response.text()}`);
    return (await response.json()) as CollectorStats;
  }

  await launch();
  return {
    url,
    dataDir,
    adminToken,
    serviceToken,
    stats,
    async stored(stream, expected, timeoutMs = 30_000) {
      const deadline = Date.now() + timeoutMs;
      for (;;) {
        const s = await stats();
        const applied = s.wal.applied_seq === undefined || s.wal.applied_seq === (s.wal.next_seq ?? 0) - 1;
        const count = s.streams.find((x) => x.stream === stream)?.records ?? 0;
        if ((s.wal.backlog_bytes === 0 && applied && count >= expected) || Date.now() > deadline)
          return count;
        await new Promise((resolve) => setTimeout(resolve, 100));
      }
    },
    stop,
    async restart() {
      await stop();
      await launch();
    },
    async dispose() {
      await stop();
      rmSync(dataDir, { recursive: true, force: true });
    },
  };
}
