/**
 * A thin wrapper over `@clickhouse/client`: queries written once with `{name:Type}`
 * placeholders, bound server-side where the server has query parameters and inline through
 * `sqlLiteral` where it has not (chosen once, at open); rows out as plain objects with 64-bit
 * integers as numbers (epoch ms and counts fit in 2^53); inserts as TabSeparated bodies.
 */
import { Readable } from 'node:stream';
import {
  ClickHouseLogLevel,
  createClient,
  type ClickHouseClient,
  type ClickHouseSettings,
} from '@clickhouse/client';
import { wrapClickHouseError } from './errors.js';
import { bindInline, type SqlParams } from './sql.js';
import { featuresOf, parseServerVersion, type ServerFeatures, type ServerVersion } from './version.js';

/** Where to connect: the server's HTTP interface and the database to use. */
export interface ClickHouseTarget {
  /** `http(s)://[user:password@]host:port`, without the `database` parameter. */
  readonly url: string;
  readonly database: string;
  readonly username?: string;
  readonly password?: string;
}

type Binder = (sql: string, params: SqlParams) => { query: string; query_params?: Record<string, unknown> };

const bindServerSide: Binder = (query, params) => ({
  query,
  query_params: params as Record<string, unknown>,
});
const bindClientSide: Binder = (sql, params) => ({ query: bindInline(sql, params) });

// JSON numbers, not strings, for 64-bit integers: every integer we store is below 2^53.
// Synchronous inserts into Distributed tables (cluster mode, see cluster-ddl.ts): an INSERT
// returns only once the shards hold the rows, so the exactly-once check sees what was written.
const BASE_SETTINGS: ClickHouseSettings = {
  output_format_json_quote_64bit_integers: 0,
  insert_distributed_sync: 1,
};

export class ClickHouseDb {
  private constructor(
    private readonly client: ClickHouseClient,
    readonly database: string,
    readonly version: ServerVersion,
    readonly features: ServerFeatures,
    private readonly bind: Binder,
    private readonly insertSettings: ClickHouseSettings,
  ) {}

  /** Connects, reads `version()`, creates the database when missing and picks the features. */
  static async open(target: ClickHouseTarget): Promise<ClickHouseDb> {
    const base = {
      url: target.url,
      username: target.username ?? 'default',
      password: target.password ?? '',
      request_timeout: 60_000,
      max_open_connections: 8,
      clickhouse_settings: BASE_SETTINGS,
      log: { level: ClickHouseLogLevel.OFF },
      application: 'factorywatch',
    };
    const bootstrap = createClient(base);
    let version: ServerVersion;
    try {
      const rows = await (
        await bootstrap.query({ query: 'SELECT version() AS v', format: 'JSONEachRow' })
      ).json<{ v: string }>();
      version = parseServerVersion(rows[0]?.v ?? '');
      await bootstrap.command({
        query: `CREATE DATABASE IF NOT EXISTS \`${target.database.replace(/[\\`]/g, '\\$&')}\``,
      });
    } catch (error) {
      throw wrapClickHouseError(error, `connecting to ${target.url}`);
    } finally {
      await bootstrap.close();
    }
    const features = featuresOf(version);
    const client = createClient({ ...base, database: target.database });
    // One INSERT must stay one block, hence one part per partition (atomic): a block is cut at
    // max_insert_block_size rows, and parallel parsing (19.15+) cuts it by input chunks.
    const insertSettings: ClickHouseSettings = {
      max_insert_block_size: '100000000',
      ...(features.parallelParsingSetting ? { input_format_parallel_parsing: 0 } : {}),
    };
    return new ClickHouseDb(
      client,
      target.database,
      version,
      features,
      features.queryParameters ? bindServerSide : bindClientSide,
      insertSettings,
    );
  }

  /** Runs a query and returns its rows. */
  async query<T = Record<string, unknown>>(
    sql: string,
    params: SqlParams = {},
    settings: ClickHouseSettings = {},
  ): Promise<T[]> {
    try {
      const result = await this.client.query({
        ...this.bind(sql, params),
        format: 'JSONEachRow',
        clickhouse_settings: settings,
      });
      return await result.json<T>();
    } catch (error) {
      throw wrapClickHouseError(error, firstLine(sql));
    }
  }

  /**
   * Runs a query and returns its whole RowBinary body: exact doubles (NaN, ±inf and -0 included,
   * which JSON output turns into null or loses) at 8 bytes a value instead of ~20 of text. The
   * server buffers the result (`wait_end_of_query`) so a failure mid-query is an HTTP error, not
   * an error text appended to binary rows that the decoder would misread.
   */
  async queryRowBinary(
    sql: string,
    params: SqlParams = {},
    settings: ClickHouseSettings = {},
  ): Promise<Buffer> {
    try {
      const bound = this.bind(`${sql}\nFORMAT RowBinary`, params);
      const result = await this.client.exec({
        ...bound,
        clickhouse_settings: { ...settings, wait_end_of_query: 1 },
      });
      const chunks: Buffer[] = [];
      for await (const chunk of result.stream) chunks.push(chunk as Buffer);
      return Buffer.concat(chunks);
    } catch (error) {
      throw wrapClickHouseError(error, firstLine(sql));
    }
  }

  /** Runs a statement that returns nothing (DDL, ALTER, INSERT … SELECT). */
  async command(sql: string, params: SqlParams = {}, settings: ClickHouseSettings = {}): Promise<void> {
    try {
      await this.client.command({ ...this.bind(sql, params), clickhouse_settings: settings });
    } catch (error) {
      throw wrapClickHouseError(error, firstLine(sql));
    }
  }

  /** Inserts a TabSeparated body (see tsv.ts) into `table` as exactly one INSERT. */
  async insertTsv(table: string, columns: readonly string[], body: string): Promise<void> {
    if (body.length === 0) return;
    try {
      await this.client.insert({
        table,
        columns: columns as [string, ...string[]],
        format: 'TabSeparated',
        values: Readable.from([Buffer.from(body)], { objectMode: false }),
        clickhouse_settings: this.insertSettings,
      });
    } catch (error) {
      throw wrapClickHouseError(error, `INSERT INTO ${table}`);
    }
  }

  close(): Promise<void> {
    return this.client.close();
  }
}

function firstLine(sql: string): string {
  return sql.trim().split('\n', 1)[0]?.slice(0, 120) ?? '';
}
