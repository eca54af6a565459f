/**
 * The current ClickHouse engine for tests: chDB (ClickHouse 26.x built as a library, from npm)
 * behind the slice of ClickHouse's HTTP interface that `@clickhouse/client` speaks: the query in
 * the body (or in `query=` with the INSERT data in the body), `database=`, `param_*` values
 * handed to the engine's own parameter binding exactly as a server receives them, other URL
 * parameters applied as settings, errors as HTTP 500 with the engine's `Code: N. DB::Exception`
 * text and `X-ClickHouse-Exception-Code`. Every statement is parsed, planned and run by
 * ClickHouse itself; this module only carries bytes. Requests run one at a time (one session).
 *
 * Debian bookworm ships only ClickHouse 18.16 (test/helpers/clickhouse-server.ts); this engine
 * is what exercises the current-release path: server-side query parameters, LowCardinality,
 * codecs, TTL and DateTime64.
 */
import { createServer, type IncomingMessage, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { scratchDir } from './tmp.js';

/** The part of chDB's native addon used here: a query on a session's connection. */
interface ChdbNative {
  QueryAsyncConnection(
    connection: unknown,
    sql: string,
    format: string,
    params?: Record<string, string>,
  ): Promise<{ bytes: Uint8Array | null }>;
}

interface ChdbSession {
  connection: unknown;
  queryAsync(sql: string, options?: { format?: string }): Promise<{ text(): string }>;
  close(): void;
}

interface ChdbModule {
  Session: new (path: string) => ChdbSession;
}

/** URL parameters of the HTTP interface that are not settings of the engine. */
const NOT_SETTINGS = new Set([
  'query',
  'database',
  'default_format',
  'query_id',
  'session_id',
  'session_timeout',
  'session_check',
  'user',
  'password',
  'role',
  'compress',
  'decompress',
  'buffer_size',
  'wait_end_of_query',
  'enable_http_compression',
  'send_progress_in_http_headers',
]);

export interface ChdbTestServer {
  /** `http://127.0.0.1:PORT`. */
  readonly url: string;
  /** The engine's `version()`. */
  readonly version: string;
  stop(): Promise<void>;
}

/** Starts the engine on a scratch data directory and the HTTP front on a free loopback port. */
export async function startChdbServer(): Promise<ChdbTestServer> {
  const require = createRequire(import.meta.url);
  const { Session } = require('chdb') as ChdbModule;
  // The package exports no path to its addon; loadNative() returns the module index.js loaded.
  const { loadNative } = require(join(dirname(require.resolve('chdb')), 'dist', 'loader.js')) as {
    loadNative(): ChdbNative;
  };
  const native = loadNative();
  const session = new Session(scratchDir('factorywatch-chdb-'));
  const applied = new Map<string, string>();
  let queue: Promise<unknown> = Promise.resolve();

  async function run(sql: string, format = 'TabSeparated', params?: Record<string, string>) {
    return (
      (await native.QueryAsyncConnection(session.connection, sql, format, params)).bytes ?? new Uint8Array()
    );
  }

  async function applySettings(settings: Map<string, string>): Promise<void> {
    for (const name of applied.keys()) {
      if (!settings.has(name)) {
        await run(`SET ${name} = DEFAULT`);
        applied.delete(name);
      }
    }
    for (const [name, value] of settings) {
      if (applied.get(name) === value) continue;
      const literal = /^-?\d+(\.\d+)?$/.test(value) ? value : `'${value.replace(/[\\']/g, '\\$&')}'`;
      await run(`SET ${name} = ${literal}`);
      applied.set(name, value);
    }
  }

  async function answer(request: IncomingMessage, body: Buffer): Promise<Uint8Array> {
    const url = new URL(request.url ?? '/', 'http://localhost');
    const params: Record<string, string> = {};
    const settings = new Map<string, string>();
    for (const [name, value] of url.searchParams) {
      if (name.startsWith('param_')) params[name.slice('param_'.length)] = value;
      else if (!NOT_SETTINGS.has(name) && !name.startsWith('http_')) settings.set(name, value);
    }
    const inUrl = url.searchParams.get('query');
    const sql = inUrl === null ? body.toString('utf8') : `${inUrl}\n${body.toString('utf8')}`;
    const database = url.searchParams.get('database') ?? 'default';
    await run(`USE \`${database.replace(/[\\`]/g, '\\$&')}\``);
    await applySettings(settings);
    const format = url.searchParams.get('default_format') ?? 'TabSeparated';
    return run(sql, format, Object.keys(params).length > 0 ? params : undefined);
  }

  const server: Server = createServer((request, response) => {
    const chunks: Buffer[] = [];
    request.on('data', (chunk: Buffer) => chunks.push(chunk));
    request.on('end', () => {
      const result = queue.then(() => answer(request, Buffer.concat(chunks)));
      queue = result.catch(() => undefined);
      result.then(
        (bytes) => {
          response.writeHead(200, { 'content-type': 'text/plain; charset=UTF-8' });
          response.end(Buffer.from(bytes));
        },
        (error: unknown) => {
          const err = error as { message?: string; clickhouseCode?: number };
          const code = err.clickhouseCode ?? 1000;
          const message = err.message ?? String(error);
          response.writeHead(500, {
            'content-type': 'text/plain; charset=UTF-8',
            'x-clickhouse-exception-code': String(code),
          });
          response.end(
            message.startsWith('Code:') ? `${message}\n` : `Code: ${code}. DB::Exception: ${message}\n`,
          );
        },
      );
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  const version = (await session.queryAsync('SELECT version()', { format: 'TabSeparated' })).text().trim();
  return {
    url: `http://127.0.0.1:${port}`,
    version,
    async stop() {
      await new Promise<void>((resolve) => server.close(() => resolve()));
      await queue;
      session.close();
    },
  };
}
