/**
 * Real collector processes for end-to-end tests: the built CLI (`dist/`, made by `npm run build`,
 * which `npm test` runs first) started as a child process on a free port.
 */
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

/** The repository root: the nearest folder upwards whose package.json is factorywatch's (from src or dist). */
function repoRoot(): string {
  let dir = dirname(fileURLToPath(import.meta.url));
  for (;;) {
    const pkg = join(dir, 'package.json');
    if (
      existsSync(pkg) &&
      (JSON.parse(readFileSync(pkg, 'utf8')) as { name?: string }).name === 'factorywatch'
    )
      return dir;
    const parent = dirname(dir);
    if (parent === dir) throw new Error('factorywatch package.json not found above test/helpers');
    dir = parent;
  }
}

export const CLI = join(repoRoot(), 'dist', 'collector', 'cli', 'main.js');

function assertBuilt(): void {
  if (!existsSync(CLI)) throw new Error(`${CLI} is missing: run \`npm run build\` first (npm test does).`);
}

/** Runs a CLI command to completion and returns its output; throws on a non-zero exit. */
export function runCli(args: string[], env: NodeJS.ProcessEnv = {}): { stdout: string; stderr: string } {
  assertBuilt();
  const result = spawnSync(process.execPath, [CLI, ...args], {
    encoding: 'utf8',
    env: { ...process.env, ...env },
  });
  if (result.status !== 0)
    throw new Error(`factorywatch ${args.join(' ')} exited ${result.status}: ${result.stderr}`);
  return { stdout: result.stdout, stderr: result.stderr };
}

/** Creates a token in `dataDir` with the CLI and returns the secret. */
export function createToken(
  dataDir: string,
  role: string,
  subject = `${role}-test`,
  tenant = 'default',
): string {
  const { stdout } = runCli([
    'token',
    'create',
    '--subject',
    subject,
    '--role',
    role,
    '--tenant',
    tenant,
    '--data-dir',
    dataDir,
  ]);
  const secret = stdout.split('\n')[0]?.trim() ?? '';
  if (!secret.startsWith('fw_')) throw new Error(`token create printed no token: ${stdout}`);
  return secret;
}

export interface CollectorProcess {
  url: string;
  child: ChildProcess;
  /** Everything the process wrote to stderr so far. */
  stderr(): string;
  /** SIGKILL, then wait for the exit. */
  kill9(): Promise<void>;
  /** SIGTERM, then wait for a clean exit. */
  stop(): Promise<number | null>;
}

/** Starts `factorywatch <command> --port 0 …` and resolves once it listens. */
export async function startCollectorProcess(
  args: string[],
  {
    command = 'start',
    env = {},
    timeoutMs = 30_000,
  }: { command?: string; env?: NodeJS.ProcessEnv; timeoutMs?: number } = {},
): Promise<CollectorProcess> {
  assertBuilt();
  const child = spawn(process.execPath, [CLI, command, '--port', '0', '--log-level', 'warn', ...args], {
    env: { ...process.env, ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let stderr = '';
  let stdout = '';
  child.stderr?.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
  child.stdout?.on('data', (chunk: Buffer) => (stdout += chunk.toString()));
  const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
  const url = await new Promise<string>((resolve, reject) => {
    const timer = setTimeout(
      () => reject(new Error(`collector did not start within ${timeoutMs} ms: ${stderr}`)),
      timeoutMs,
    );
    const check = () => {
      const match = /listening on (http:\/\/[\d.:]+)/.exec(stderr + stdout);
      if (match?.[1]) {
        clearTimeout(timer);
        resolve(match[1]);
      }
    };
    child.stderr?.on('data', check);
    child.stdout?.on('data', check);
    void exited.then((code) => {
      clearTimeout(timer);
      reject(new Error(`collector exited with ${code} before listening: ${stderr}`));
    });
  });
  return {
    url,
    child,
    stderr: () => stderr,
    async kill9() {
      child.kill('SIGKILL');
      await exited;
    },
    async stop() {
      child.kill('SIGTERM');
      return exited;
    },
  };
}
