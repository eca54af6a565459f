/** `factorywatch pipelines`: status, throughput, lag, queue trend and freshness per pipeline stage. */
import { parseCommandArgs } from '../cli/args.js';
import { COLLECTOR_OPTIONS, getJsonOrReport } from '../cli/collector-client.js';
import type { CliIo } from '../cli/io.js';
import { cell, formatTable } from '../cli/table.js';
import type { PipelinesResponse } from './schema.js';

const USAGE = `usage: factorywatch pipelines [--pipeline NAME] [--at T] [--json] [--url URL] [--token TOKEN]

  --pipeline       only this pipeline
  --at             evaluate at this time (epoch ms, ISO 8601, or a duration ago) instead of now
  --json           print the API answer as JSON
  --url, --token   the collector (default $FACTORYWATCH_URL or http://127.0.0.1:8787, $FACTORYWATCH_TOKEN)

Exit status: 0 when every stage is ok, 3 when one is not, 1 when the call fails, 2 on bad usage.
`;

/** Runs `factorywatch pipelines …`; see USAGE for the exit codes. */
export async function runPipelinesCli(args: string[], io: CliIo): Promise<number> {
  const parsed = parseCommandArgs(
    {
      args,
      options: {
        pipeline: { type: 'string' },
        at: { type: 'string' },
        ...COLLECTOR_OPTIONS,
        help: { type: 'boolean', short: 'h', default: false },
      },
    },
    USAGE,
    io,
  );
  if (typeof parsed === 'number') return parsed;
  const { values } = parsed;
  const answer = await getJsonOrReport<PipelinesResponse>(
    values,
    '/v1/pipelines/health',
    {
      pipeline: values.pipeline,
      at: values.at,
    },
    io,
  );
  if (answer === undefined) return 1;
  const unhealthy = answer.pipelines.some((p) => p.status !== 'ok');
  if (values.json) {
    io.stdout.write(`${JSON.stringify(answer, null, 2)}\n`);
    return unhealthy ? 3 : 0;
  }
  if (answer.pipelines.length === 0) {
    io.stdout.write('no pipeline stage has reported\n');
    return 0;
  }
  const rows = answer.pipelines.map((p) => [
    p.pipeline,
    p.stage,
    p.status,
    cell(p.throughput_rows_per_s),
    cell(p.lag_seconds),
    cell(p.queue_depth),
    cell(p.queue_slope_per_s),
    cell(p.error_rate),
    cell(p.freshness_seconds),
    new Date(p.last_seen).toISOString(),
  ]);
  io.stdout.write(
    formatTable(
      [
        'PIPELINE',
        'STAGE',
        'STATUS',
        'ROWS_PER_S',
        'LAG_S',
        'QUEUE',
        'QUEUE_SLOPE_PER_S',
        'ERROR_RATE',
        'FRESHNESS_S',
        'LAST_SEEN',
      ],
      rows,
    ),
  );
  for (const p of answer.pipelines) {
    for (const reason of p.reasons) io.stdout.write(`  ${p.pipeline}/${p.stage}: ${reason}\n`);
  }
  return unhealthy ? 3 : 0;
}
