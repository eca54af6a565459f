/**
 * DDL for a ClickHouse cluster: per table a ReplicatedMergeTree `<table>_local` on every node and
 * a Distributed `<table>` over it, so collectors read and write the same table names as on a
 * single server (their own CREATE IF NOT EXISTS then finds every table already there).
 *
 * Shard key: `cityHash64(wal_id, wal_seq)` for the time-series tables. All rows of one WAL entry
 * land on one shard, so each shard receives a batch's rows of a table and day as one INSERT and
 * the exactly-once check (is entry N stored?) stays all-or-nothing; entries of many collectors
 * spread evenly. Tables without WAL columns shard by their first ORDER BY column.
 */
import { createTableSql, type TableSpec } from './schema.js';
import { sqlIdentifier, sqlLiteral } from './sql.js';
import { ALL_TABLE_SPECS } from './tables.js';
import { featuresOf, parseServerVersion } from './version.js';

/** What to generate DDL for. */
export interface ClusterDdlOptions {
  /** The cluster name of the servers' `remote_servers` section. */
  readonly cluster: string;
  readonly database: string;
  /** The release the cluster runs (features are chosen from it); default 24.8. */
  readonly serverVersion?: string;
  readonly retentionDays?: number;
}

const NAME = /^[A-Za-z_][A-Za-z0-9_]*$/;

/** The shard key of a table (see the file comment). */
export function shardKey(spec: TableSpec): string {
  const names = new Set(spec.columns.map((c) => c.name));
  if (names.has('wal_id') && names.has('wal_seq')) return 'cityHash64(wal_id, wal_seq)';
  return `cityHash64(${spec.orderBy[0] ?? 'tuple()'})`;
}

/** The whole cluster DDL as `;`-terminated statements. */
export function clusterDdl(
  options: ClusterDdlOptions,
  specs: readonly TableSpec[] = ALL_TABLE_SPECS,
): string {
  for (const [what, value] of [
    ['cluster', options.cluster],
    ['database', options.database],
  ] as const) {
    if (!NAME.test(value)) throw new Error(`${what} "${value}" must be letters, digits and underscores`);
  }
  const features = featuresOf(parseServerVersion(options.serverVersion ?? '24.8'));
  const db = sqlIdentifier(options.database);
  const cluster = sqlIdentifier(options.cluster);
  const schemaOptions = options.retentionDays === undefined ? {} : { retentionDays: options.retentionDays };
  const statements = [`CREATE DATABASE IF NOT EXISTS ${db} ON CLUSTER ${cluster}`];
  for (const spec of specs) {
    const local = `${spec.name}_local`;
    // {shard} and {replica} are the servers' own macros; the path is unique per table.
    const zkPath = sqlLiteral(`/clickhouse/tables/{shard}/${options.database}/${local}`);
    const engine = `Replicated${spec.engine ?? 'MergeTree'}(${zkPath}, '{replica}')`;
    statements.push(
      createTableSql(spec, features, schemaOptions, {
        name: `${db}.${sqlIdentifier(local)}`,
        cluster,
        engine,
      }),
    );
    statements.push(
      `CREATE TABLE IF NOT EXISTS ${db}.${sqlIdentifier(spec.name)} ON CLUSTER ${cluster} AS ${db}.${sqlIdentifier(local)}\n` +
        `ENGINE = Distributed(${cluster}, ${db}, ${sqlIdentifier(local)}, ${shardKey(spec)})`,
    );
  }
  return `${statements.join(';\n\n')};\n`;
}
