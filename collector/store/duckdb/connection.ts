/**
 * A thin wrapper over one DuckDB connection: bound parameters only, plain JS rows out
 * (BIGINT as number, TIMESTAMP as epoch ms), and one operation at a time, because a
 * DuckDB connection runs one transaction at a time.
 */
import {
  DuckDBConnection,
  DuckDBInstance,
  DuckDBTimestampValue,
  type DuckDBAppender,
  type DuckDBValue,
} from '@duckdb/node-api';

export type SqlParam = string | number | bigint | boolean | null | DuckDBValue;

export class DuckDb {
  private queue: Promise<unknown> = Promise.resolve();

  private constructor(
    private readonly instance: DuckDBInstance,
    readonly connection: DuckDBConnection,
  ) {}

  /** Opens (or creates) the database file; `settings` are DuckDB configuration options such as memory_limit. */
  static async open(path: string, settings: Record<string, string> = {}): Promise<DuckDb> {
    const instance = await DuckDBInstance.create(path, settings);
    const connection = await instance.connect();
    return new DuckDb(instance, connection);
  }

  /** Runs `work` after every earlier operation settled: the connection's only serialisation point. */
  exclusive<T>(work: () => Promise<T>): Promise<T> {
    const result = this.queue.then(work, work);
    this.queue = result.catch(() => undefined);
    return result;
  }

  /** Runs a statement with bound parameters. */
  run(sql: string, params: SqlParam[] = []): Promise<void> {
    return this.exclusive(async () => {
      await this.connection.run(sql, params as DuckDBValue[]);
    });
  }

  /** Runs a query and returns its rows as plain objects. */
  all<T = Record<string, unknown>>(sql: string, params: SqlParam[] = []): Promise<T[]> {
    return this.exclusive(() => this.allNow<T>(sql, params));
  }

  /** `all` for use inside `exclusive` or `transaction` (no queueing). */
  async allNow<T = Record<string, unknown>>(sql: string, params: SqlParam[] = []): Promise<T[]> {
    const reader = await this.connection.runAndReadAll(sql, params as DuckDBValue[]);
    return reader.getRowObjectsJS().map((row) => plainRow(row)) as T[];
  }

  /** `run` for use inside `exclusive` or `transaction` (no queueing). */
  async runNow(sql: string, params: SqlParam[] = []): Promise<void> {
    await this.connection.run(sql, params as DuckDBValue[]);
  }

  /** Runs `work` in one transaction: all of it is stored or none of it. */
  transaction<T>(work: () => Promise<T>): Promise<T> {
    return this.exclusive(async () => {
      await this.connection.run('BEGIN TRANSACTION');
      try {
        const result = await work();
        await this.connection.run('COMMIT');
        return result;
      } catch (error) {
        await this.connection.run('ROLLBACK').catch(() => undefined);
        throw error;
      }
    });
  }

  /** An appender on `table`, for use inside `transaction`. */
  appender(table: string): Promise<DuckDBAppender> {
    return this.connection.createAppender(table);
  }

  close(): Promise<void> {
    return this.exclusive(async () => {
      this.connection.closeSync();
      this.instance.closeSync();
    });
  }
}

/** A TIMESTAMP parameter from epoch milliseconds. */
export function timestampParam(epochMs: number): DuckDBTimestampValue {
  return new DuckDBTimestampValue(BigInt(Math.round(epochMs)) * 1000n);
}

function plainRow(row: Record<string, unknown>): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const key in row) out[key] = plainValue(row[key]);
  return out;
}

function plainValue(value: unknown): unknown {
  if (typeof value === 'bigint') return Number(value);
  if (value instanceof Date) return value.getTime();
  if (Array.isArray(value)) return value.map(plainValue);
  return value;
}
