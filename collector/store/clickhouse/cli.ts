/**
 * `factorywatch clickhouse ddl --cluster NAME [--database DB] [--server-version V] [--retention-days N]`:
 * prints the cluster DDL (see cluster-ddl.ts) to run once with clickhouse-client --multiquery.
 */
import { parseCommandArgs } from '../../cli/args.js';
import type { CliIo } from '../../cli/io.js';
import { clusterDdl } from './cluster-ddl.js';
import { DEFAULT_DATABASE } from './url.js';

const USAGE = `usage: factorywatch clickhouse ddl --cluster NAME [--database DB] [--server-version 24.8] [--retention-days N]

Prints ReplicatedMergeTree tables (<table>_local) and Distributed tables over them (sharded by
cityHash64(wal_id, wal_seq)) for every factorywatch table. Run it once against any node:
  factorywatch clickhouse ddl --cluster prod | clickhouse-client --multiquery
`;

/** Runs the `clickhouse` command group; resolves with the exit code. */
export async function runClickHouseCli(args: string[], io: CliIo): Promise<number> {
  const [sub, ...rest] = args;
  if (sub === undefined || sub === '--help' || sub === '-h' || sub === 'help') {
    io.stdout.write(USAGE);
    return sub === undefined ? 2 : 0;
  }
  if (sub !== 'ddl') {
    io.stderr.write(`unknown clickhouse command "${sub}"\n\n${USAGE}`);
    return 2;
  }
  const parsed = parseCommandArgs(
    {
      args: rest,
      options: {
        cluster: { type: 'string' },
        database: { type: 'string', default: DEFAULT_DATABASE },
        'server-version': { type: 'string', default: '24.8' },
        'retention-days': { type: 'string' },
        help: { type: 'boolean', default: false },
      },
    },
    USAGE,
    io,
  );
  if (typeof parsed === 'number') return parsed;
  const { values } = parsed;
  if (!values.cluster) {
    io.stderr.write(`--cluster is required\n\n${USAGE}`);
    return 2;
  }
  const retention = values['retention-days'];
  const retentionDays = retention === undefined ? undefined : Number(retention);
  if (retentionDays !== undefined && !(Number.isInteger(retentionDays) && retentionDays > 0)) {
    io.stderr.write(`--retention-days must be a positive whole number of days, not "${retention}"\n`);
    return 2;
  }
  try {
    io.stdout.write(
      clusterDdl({
        cluster: values.cluster,
        database: values.database,
        serverVersion: values['server-version'],
        ...(retentionDays === undefined ? {} : { retentionDays }),
      }),
    );
    return 0;
  } catch (error) {
    io.stderr.write(`${error instanceof Error ? error.message : String(error)}\n`);
    return 2;
  }
}
