/** `factorywatch models`: volume, latency and quality per model version, from a running collector. */
import { parseCommandArgs } from '../cli/args.js';
import { COLLECTOR_OPTIONS, getJsonOrReport } from '../cli/collector-client.js';
import type { CliIo } from '../cli/io.js';
import { cell, formatTable } from '../cli/table.js';
import type { ModelsResponse } from './schema.js';

const USAGE = `usage: factorywatch models [--from T] [--until T] [--by segment|version] [--model NAME] [--json]
                           [--url URL] [--token TOKEN]

  --from, --until  window of prediction times: epoch ms, ISO 8601, or a duration ago (24h, 7d);
                   default the last health.models.windowSeconds (24h)
  --by             one row per segment (default) or per version over all segments
  --model          only this model
  --json           print the API answer as JSON
  --url, --token   the collector (default $FACTORYWATCH_URL or http://127.0.0.1:8787, $FACTORYWATCH_TOKEN)
`;

/** Runs `factorywatch models …`; exit 0 on success, 1 when the collector call fails, 2 on bad usage. */
export async function runModelsCli(args: string[], io: CliIo): Promise<number> {
  const parsed = parseCommandArgs(
    {
      args,
      options: {
        from: { type: 'string' },
        until: { type: 'string' },
        by: { type: 'string' },
        model: { type: 'string' },
        ...COLLECTOR_OPTIONS,
        help: { type: 'boolean', short: 'h', default: false },
      },
    },
    USAGE,
    io,
  );
  if (typeof parsed === 'number') return parsed;
  const { values } = parsed;
  if (values.by !== undefined && values.by !== 'segment' && values.by !== 'version') {
    io.stderr.write(`--by must be segment or version, got "${values.by}"\n`);
    return 2;
  }
  const answer = await getJsonOrReport<ModelsResponse>(
    values,
    '/v1/models',
    {
      from: values.from,
      until: values.until,
      by: values.by,
      model: values.model,
    },
    io,
  );
  if (answer === undefined) return 1;
  if (values.json) {
    io.stdout.write(`${JSON.stringify(answer, null, 2)}\n`);
    return 0;
  }
  io.stdout.write(
    `window ${new Date(answer.from).toISOString()} .. ${new Date(answer.until).toISOString()}\n`,
  );
  if (answer.models.length === 0) {
    io.stdout.write('no predictions in this window\n');
    return 0;
  }
  const rows = answer.models.map((m) => [
    m.model,
    m.version,
    m.segment === null ? '*' : m.segment === '' ? '-' : m.segment,
    String(m.predictions),
    cell(m.latency_ms.p50),
    cell(m.latency_ms.p95),
    cell(m.latency_ms.p99),
    String(m.labeled),
    Object.entries(m.quality)
      .map(([k, v]) => `${k}=${cell(v)}`)
      .join(' ') || '-',
  ]);
  io.stdout.write(
    formatTable(
      ['MODEL', 'VERSION', 'SEGMENT', 'PREDICTIONS', 'P50_MS', 'P95_MS', 'P99_MS', 'LABELED', 'QUALITY'],
      rows,
    ),
  );
  return 0;
}
