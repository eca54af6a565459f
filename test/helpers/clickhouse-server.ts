/**
 * A real ClickHouse server for tests: the `clickhouse-server` binary (not the packaged service)
 * on free loopback ports, with a scratch data dir and a small generated config (no interserver
 * listener, small caches, low memory caps). `kill()` and `restart()` exist for outage tests.
 * Missing binaries are installed by test/setup/ensure-clickhouse.sh; if that fails, startup
 * throws: the suites fail loudly, they never skip.
 */
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { mkdirSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { scratchDir } from './tmp.js';

/** The one-node cluster every test server defines in remote_servers (for Distributed tables). */
export const TEST_CLUSTER = 'factorywatch_test';

/** A running test server. */
export interface ClickHouseTestServer {
  /** `http://127.0.0.1:PORT` (HTTP interface). */
  readonly url: string;
  readonly httpPort: number;
  readonly tcpPort: number;
  /** The scratch directory holding config, data and logs. */
  readonly dir: string;
  /** Stops the server gracefully (SIGTERM) and waits for it to exit. */
  stop(): Promise<void>;
  /** Kills the server abruptly (SIGKILL), as an outage would. */
  kill(): Promise<void>;
  /** Starts the server again on the same ports and data (after `kill` or `stop`). */
  restart(): Promise<void>;
}

const ENSURE_SCRIPT = join(dirname(fileURLToPath(import.meta.url)), '..', 'setup', 'ensure-clickhouse.sh');
const running = new Set<ChildProcess>();
process.on('exit', () => {
  for (const child of running) child.kill('SIGKILL');
});

/** Starts a fresh server and resolves once it answers queries. */
export async function startClickHouse(): Promise<ClickHouseTestServer> {
  const binary = clickHouseServerBinary();
  const dir = scratchDir('factorywatch-ch-');
  const [httpPort, tcpPort] = (await freePorts(2)) as [number, number];
  const configPath = writeConfig(dir, httpPort, tcpPort);
  const url = `http://127.0.0.1:${httpPort}`;
  let child: ChildProcess | undefined;

  async function start(): Promise<void> {
    const proc = spawn(binary, [`--config-file=${configPath}`], {
      cwd: dir,
      stdio: ['ignore', 'ignore', 'pipe'],
    });
    let stderr = '';
    proc.stderr?.on('data', (chunk: Buffer) => {
      stderr = (stderr + chunk.toString()).slice(-4000);
    });
    running.add(proc);
    proc.once('exit', () => running.delete(proc));
    child = proc;
    await waitUntilAnswering(url, proc, () => stderr);
  }

  async function signal(sig: NodeJS.Signals): Promise<void> {
    const proc = child;
    child = undefined;
    if (!proc || proc.exitCode !== null || proc.signalCode !== null) return;
    const exited = new Promise<void>((resolve) => proc.once('exit', () => resolve()));
    proc.kill(sig);
    const timer = setTimeout(() => proc.kill('SIGKILL'), 15_000);
    await exited;
    clearTimeout(timer);
  }

  await start();
  return {
    url,
    httpPort,
    tcpPort,
    dir,
    stop: () => signal('SIGTERM'),
    kill: () => signal('SIGKILL'),
    async restart() {
      await signal('SIGTERM');
      await start();
    },
  };
}

/** The server binary, installing Debian's package first when it is missing. */
function clickHouseServerBinary(): string {
  const find = () =>
    spawnSync('sh', ['-c', 'command -v clickhouse-server'], { encoding: 'utf8' }).stdout.trim();
  let binary = find();
  if (binary) return binary;
  const ensure = spawnSync('bash', [ENSURE_SCRIPT], { encoding: 'utf8' });
  binary = find();
  if (ensure.status !== 0 || !binary) {
    throw new Error(
      `clickhouse-server is not installed and ${ENSURE_SCRIPT} could not install it ` +
        `(exit ${ensure.status}): ${ensure.stderr.trim() || ensure.stdout.trim()}`,
    );
  }
  return binary;
}

function writeConfig(dir: string, httpPort: number, tcpPort: number): string {
  const data = join(dir, 'data');
  for (const sub of ['tmp', 'user_files', 'format_schemas']) mkdirSync(join(data, sub), { recursive: true });
  const configPath = join(dir, 'config.xml');
  // Unknown elements are ignored by every release, so one config serves 18.16 and current ones.
  // Caches and memory are kept small: the test machines are shared.
  writeFileSync(
    configPath,
    `<?xml version="1.0"?>
<yandex>
  <logger><level>warning</level><log>${join(dir, 'server.log')}</log><errorlog>${join(dir, 'server.err.log')}</errorlog></logger>
  <http_port>${httpPort}</http_port>
  <tcp_port>${tcpPort}</tcp_port>
  <listen_host>127.0.0.1</listen_host>
  <path>${data}/</path>
  <tmp_path>${data}/tmp/</tmp_path>
  <user_files_path>${data}/user_files/</user_files_path>
  <format_schema_path>${data}/format_schemas/</format_schema_path>
  <mark_cache_size>67108864</mark_cache_size>
  <uncompressed_cache_size>67108864</uncompressed_cache_size>
  <max_server_memory_usage>1073741824</max_server_memory_usage>
  <max_concurrent_queries>64</max_concurrent_queries>
  <users_config>${join(dir, 'users.xml')}</users_config>
  <default_profile>default</default_profile>
  <default_database>default</default_database>
  <timezone>UTC</timezone>
  <remote_servers>
    <${TEST_CLUSTER}>
      <shard><replica><host>127.0.0.1</host><port>${tcpPort}</port></replica></shard>
    </${TEST_CLUSTER}>
  </remote_servers>
  <mlock_executable>false</mlock_executable>
</yandex>
`,
  );
  writeFileSync(
    join(dir, 'users.xml'),
    `<?xml version="1.0"?>
<yandex>
  <profiles><default>
    <max_memory_usage>536870912</max_memory_usage>
    <background_pool_size>2</background_pool_size>
    <max_threads>2</max_threads>
  </default></profiles>
  <users><default>
    <password></password>
    <networks><ip>127.0.0.1</ip><ip>::1</ip></networks>
    <profile>default</profile>
    <quota>default</quota>
  </default></users>
  <quotas><default></default></quotas>
</yandex>
`,
  );
  return configPath;
}

async function waitUntilAnswering(url: string, proc: ChildProcess, stderr: () => string): Promise<void> {
  const deadline = Date.now() + 60_000;
  while (Date.now() < deadline) {
    if (proc.exitCode !== null || proc.signalCode !== null) {
      throw new Error(
        `clickhouse-server exited (${proc.exitCode ?? proc.signalCode}) before answering: ${stderr()}`,
      );
    }
    try {
      const res = await fetch(`${url}/?query=SELECT%201`);
      if (res.ok) return;
    } catch {
      // Not listening yet.
    }
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
  proc.kill('SIGKILL');
  throw new Error(`clickhouse-server did not answer on ${url} within 60 s: ${stderr()}`);
}

/** Distinct free loopback ports (bound and released; a tiny race is acceptable in tests). */
export async function freePorts(count: number): Promise<number[]> {
  const servers = await Promise.all(
    Array.from(
      { length: count },
      () =>
        new Promise<ReturnType<typeof createServer>>((resolve, reject) => {
          const server = createServer();
          server.once('error', reject);
          server.listen(0, '127.0.0.1', () => resolve(server));
        }),
    ),
  );
  const ports = servers.map((s) => {
    const address = s.address();
    if (address === null || typeof address === 'string') throw new Error('no port');
    return address.port;
  });
  await Promise.all(servers.map((s) => new Promise((resolve) => s.close(resolve))));
  return ports;
}
