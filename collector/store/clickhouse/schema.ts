/**
 * Table definitions written once and rendered for the server at hand: `Name` columns become
 * LowCardinality(String) where that is stable (19.3+), codecs and TTL appear where the server has
 * them, and every time-series table is a MergeTree partitioned by UTC day of its `ts` (epoch ms),
 * so retention can drop whole partitions on every release.
 */
import type { ServerFeatures } from './version.js';

/** How a column compresses best, where the server has codecs. */
export type ColumnCodec = 'timestamp' | 'sequence' | 'gauge' | 'default';

/** One column. `Name` is a low-cardinality string (tenant, model, host…). */
export interface ColumnSpec {
  readonly name: string;
  readonly type: string;
  readonly codec?: ColumnCodec;
}

/** One table. */
export interface TableSpec {
  readonly name: string;
  readonly columns: readonly ColumnSpec[];
  readonly orderBy: readonly string[];
  /** Partition by UTC day of `ts` (epoch ms), the unit retention drops. */
  readonly partitionByDay: boolean;
  /** Expire rows after the store's retention (TTL where the server has it). */
  readonly expires: boolean;
  /** ReplacingMergeTree when duplicates by ORDER BY should collapse in the background. */
  readonly engine?: 'MergeTree' | 'ReplacingMergeTree';
}

/** Options that change the rendered DDL. */
export interface SchemaOptions {
  /** Days of time-series data to keep; undefined keeps everything. */
  readonly retentionDays?: number;
}

/** The partition expression of day-partitioned tables; its partition ids are YYYYMMDD. */
export const DAY_PARTITION = "toYYYYMMDD(toDateTime(intDiv(ts, 1000), 'UTC'))";

const CODECS: Record<ColumnCodec, string> = {
  timestamp: 'CODEC(DoubleDelta, ZSTD(1))',
  sequence: 'CODEC(Delta, ZSTD(1))',
  gauge: 'CODEC(Gorilla, ZSTD(1))',
  default: '',
};

/** The column's type on this server. */
export function columnType(type: string, features: ServerFeatures): string {
  return type.replace(/\bName\b/g, features.lowCardinalityStable ? 'LowCardinality(String)' : 'String');
}

/** Where and how a table is created: the defaults give a single-server table named as the spec. */
export interface TableTarget {
  /** The (possibly database-qualified) name to create. */
  readonly name?: string;
  /** `ON CLUSTER name` for distributed DDL. */
  readonly cluster?: string;
  /** The full engine clause, e.g. `ReplicatedMergeTree('/clickhouse/tables/{shard}/db/t', '{replica}')`. */
  readonly engine?: string;
}

/** `CREATE TABLE IF NOT EXISTS` for `spec` on a server with `features`. */
export function createTableSql(
  spec: TableSpec,
  features: ServerFeatures,
  options: SchemaOptions = {},
  target: TableTarget = {},
): string {
  const columns = spec.columns.map((c) => {
    const codec = features.codecs && c.codec ? CODECS[c.codec] : '';
    return `  ${c.name} ${columnType(c.type, features)}${codec ? ` ${codec}` : ''}`;
  });
  const hasTs = spec.columns.some((c) => c.name === 'ts');
  if (hasTs) {
    // A time column for Grafana and humans, computed on read (ALIAS costs no storage).
    columns.push(
      features.dateTime64
        ? "  time DateTime64(3, 'UTC') ALIAS fromUnixTimestamp64Milli(ts, 'UTC')"
        : "  time DateTime('UTC') ALIAS toDateTime(intDiv(ts, 1000), 'UTC')",
    );
  }
  const lines = [
    `CREATE TABLE IF NOT EXISTS ${target.name ?? spec.name}${target.cluster ? ` ON CLUSTER ${target.cluster}` : ''} (`,
    columns.join(',\n'),
    `) ENGINE = ${target.engine ?? spec.engine ?? 'MergeTree'}`,
    ...(spec.partitionByDay ? [`PARTITION BY ${DAY_PARTITION}`] : []),
    `ORDER BY (${spec.orderBy.join(', ')})`,
  ];
  const ttl = ttlClause(spec, features, options);
  if (ttl) lines.push(ttl, 'SETTINGS ttl_only_drop_parts = 1');
  return lines.join('\n');
}

/** The TTL clause of an expiring table, or '' where the server lacks TTL or nothing expires. */
export function ttlClause(spec: TableSpec, features: ServerFeatures, options: SchemaOptions): string {
  if (!features.ttl || !spec.expires || options.retentionDays === undefined) return '';
  return `TTL toDate(toDateTime(intDiv(ts, 1000), 'UTC')) + toIntervalDay(${Math.floor(options.retentionDays)})`;
}

/** One migration's statements: every table of `specs`, created if missing. */
export function createTablesStatements(specs: readonly TableSpec[]) {
  return (features: ServerFeatures, options: SchemaOptions): string[] =>
    specs.map((spec) => createTableSql(spec, features, options));
}
