/**
 * `factorywatch gpu idle [--since 24h] [--until T] [--by gpu|host|namespace|pod|model] [--json]
 * [--url URL] [--token T]`: the idle report of a running collector, as a table sorted by wasted
 * GPU-hours or as the JSON of GET /v1/gpu/idle.
 */
import { parseCommandArgs } from '../cli/args.js';
import { COLLECTOR_OPTIONS } from '../cli/collector-client.js';
import type { CliIo } from '../cli/io.js';
import { parseDurationMs } from '../config/duration.js';
import { IDLE_GROUPINGS, type IdleGroupBy, type IdleReport, type IdleReportRow } from './idle.js';

const USAGE = `usage: factorywatch gpu idle [--since 24h] [--until TIME] [--by gpu|host|namespace|pod|model] [--json]
                             [--url URL] [--token TOKEN]

  --since   window length before --until (default 24h), e.g. 90m, 7d
  --until   end of the window: epoch ms or ISO 8601 (default now)
  --by      grouping (default gpu)
  --json    print the GET /v1/gpu/idle response as is
  --url     collector URL (default $FACTORYWATCH_URL or http://127.0.0.1:8787)
  --token   bearer token (default $FACTORYWATCH_TOKEN)
`;

/** Runs `gpu <subcommand>`; resolves with the exit code (0 ok, 1 failure, 2 usage). */
export async function runGpuCli(args: string[], io: CliIo): Promise<number> {
  const [sub, ...rest] = args;
  if (sub === undefined || sub === '--help' || sub === '-h' || sub === 'help') {
    io.stdout.write(USAGE);
    return sub === undefined ? 2 : 0;
  }
  if (sub !== 'idle') {
    io.stderr.write(`unknown gpu command "${sub}"\n${USAGE}`);
    return 2;
  }
  const parsed = parseCommandArgs(
    {
      args: rest,
      options: {
        since: { type: 'string', default: '24h' },
        until: { type: 'string' },
        by: { type: 'string', default: 'gpu' },
        ...COLLECTOR_OPTIONS,
        help: { type: 'boolean', default: false },
      },
      strict: true,
    },
    USAGE,
    io,
  );
  if (typeof parsed === 'number') return parsed;
  const flags = parsed.values;
  const sinceMs = parseDurationMs(flags.since);
  if (sinceMs === undefined || sinceMs <= 0) {
    io.stderr.write(`--since must be a duration such as 24h or 90m, got "${flags.since}"\n`);
    return 2;
  }
  if (!(IDLE_GROUPINGS as readonly string[]).includes(flags.by)) {
    io.stderr.write(`--by must be one of ${IDLE_GROUPINGS.join(', ')}\n`);
    return 2;
  }
  let until = Date.now();
  if (flags.until !== undefined) {
    until = /^-?\d+$/.test(flags.until) ? Number(flags.until) : Date.parse(flags.until);
    if (Number.isNaN(until)) {
      io.stderr.write(`--until must be epoch ms or ISO 8601, got "${flags.until}"\n`);
      return 2;
    }
  }
  const base = (flags.url ?? (process.env.FACTORYWATCH_URL || 'http://127.0.0.1:8787')).replace(/\/+$/, '');
  const token = flags.token ?? process.env.FACTORYWATCH_TOKEN;
  const query = new URLSearchParams({ from: String(until - sinceMs), until: String(until), by: flags.by });
  let response: Response;
  try {
    response = await fetch(`${base}/v1/gpu/idle?${query}`, {
      headers: token ? { authorization: `Bearer ${token}` } : {},
    });
  } catch (error) {
    io.stderr.write(`cannot reach the collector at ${base}: ${(error as Error).message}\n`);
    return 1;
  }
  const text = await response.text();
  if (!response.ok) {
    let message = text;
    try {
      const e = (JSON.parse(text) as { error?: { code?: string; message?: string } }).error;
      if (e) message = `${e.code}: ${e.message}`;
    } catch {
      // not JSON: print the body as is
    }
    io.stderr.write(`the collector answered ${response.status}: ${message}\n`);
    return 1;
  }
  const report = JSON.parse(text) as IdleReport;
  if (flags.json) io.stdout.write(`${JSON.stringify(report, null, 2)}\n`);
  else io.stdout.write(formatIdleTable(report, flags.by as IdleGroupBy));
  return 0;
}

const GROUP_HEADERS: Readonly<Record<IdleGroupBy, ReadonlyArray<[keyof IdleReportRow, string]>>> = {
  gpu: [
    ['host', 'HOST'],
    ['gpu', 'GPU'],
    ['mig_instance', 'MIG'],
    ['model_name', 'MODEL'],
  ],
  'gpu-pod': [
    ['host', 'HOST'],
    ['gpu', 'GPU'],
    ['mig_instance', 'MIG'],
    ['namespace', 'NAMESPACE'],
    ['pod', 'POD'],
  ],
  host: [['host', 'HOST']],
  namespace: [['namespace', 'NAMESPACE']],
  pod: [
    ['namespace', 'NAMESPACE'],
    ['pod', 'POD'],
  ],
  model: [['model_name', 'MODEL']],
};

/** The report as an aligned text table, most wasted GPU-hours first, with a total line. */
export function formatIdleTable(report: IdleReport, by: IdleGroupBy): string {
  const hours = (s: number) => (s / 3600).toFixed(2);
  const rows = [...report.rows].sort((a, b) => b.idle_seconds - a.idle_seconds);
  const groups = GROUP_HEADERS[by];
  const header = [
    ...groups.map(([, title]) => title),
    'OBSERVED_H',
    'IDLE_H',
    'IDLE_%',
    'ALLOC_IDLE_H',
    'UNALLOC_IDLE_H',
    'STARVED_H',
    'IDLE_COST',
  ];
  const body = rows.map((row) => [
    ...groups.map(([key]) => {
      const v = row[key];
      if ((key === 'pod' || key === 'namespace') && v === '') return '(unallocated)';
      return v === null || v === '' ? '-' : String(v);
    }),
    hours(row.observed_seconds),
    hours(row.idle_seconds),
    (row.idle_ratio * 100).toFixed(1),
    hours(row.allocated_idle_seconds),
    hours(row.unallocated_idle_seconds),
    hours(row.data_starved_seconds),
    row.idle_cost.toFixed(2),
  ]);
  const sum = (f: (r: IdleReportRow) => number) => rows.reduce((acc, r) => acc + f(r), 0);
  const observed = sum((r) => r.observed_seconds);
  const idle = sum((r) => r.idle_seconds);
  const total = [
    'TOTAL',
    ...groups.slice(1).map(() => ''),
    hours(observed),
    hours(idle),
    observed > 0 ? ((idle / observed) * 100).toFixed(1) : '0.0',
    hours(sum((r) => r.allocated_idle_seconds)),
    hours(sum((r) => r.unallocated_idle_seconds)),
    hours(sum((r) => r.data_starved_seconds)),
    sum((r) => r.idle_cost).toFixed(2),
  ];
  const table = [header, ...body, total];
  const widths = header.map((_, i) => Math.max(...table.map((line) => (line[i] ?? '').length)));
  const numericFrom = groups.length;
  const render = (line: string[]) =>
    line
      .map((cell, i) =>
        i >= numericFrom ? cell.padStart(widths[i] as number) : cell.padEnd(widths[i] as number),
      )
      .join('  ')
      .trimEnd();
  const window = `GPU idle ${new Date(report.from).toISOString()} .. ${new Date(report.until).toISOString()} (threshold ${report.threshold})`;
  return `${window}\n${table.map(render).join('\n')}\n`;
}
