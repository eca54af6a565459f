/**
 * `factorywatch drift compare|show|reference`. `compare` runs offline on two files; `show` and
 * `reference` talk HTTP to a running collector (`--url`, `--token`).
 */
import { parseArgs } from 'node:util';
import { COLLECTOR_OPTIONS, endpointOf, requestJson, RequestFailed } from '../cli/collector-client.js';
import type { CliIo } from '../cli/io.js';
import { FactorywatchError } from '../errors.js';
import { DRIFT_CONFIG_DEFAULTS, featureSettings, parseDriftConfig, type Binning } from './config.js';
import { compareDatasets } from './compare.js';
import { readDataset } from './dataset.js';
import { METHODS, type FeatureDrift, type Method } from './evaluate.js';
import { driftTable } from './format.js';

const USAGE = `usage:
  factorywatch drift compare --reference FILE --current FILE [--features a,b] [--methods psi,ks,...]
                             [--bins N] [--binning quantile|evidently] [--json] [--quiet] [--fail-on-drift]
  factorywatch drift show [--model M] [--version V] [--segment S] [--feature F] [--json] [--url URL] [--token T]
  factorywatch drift reference --model M --version V [--segment S]
                             (--from T [--to T] | --file FILE | --previous) [--json] [--url URL] [--token T]
Files are CSV or NDJSON; a column is numeric when every non-empty value is a number.
Exit codes: 0 ok, 1 drift found with --fail-on-drift, 2 usage or input error.
`;

/** Progress lines on stderr once a comparison is this large (rows × features). */
const PROGRESS_MIN_CELLS = 500_000;

/** Runs `factorywatch drift …` and resolves with the exit code. */
export async function runDriftCli(args: string[], io: CliIo): Promise<number> {
  const [sub, ...rest] = args;
  try {
    if (sub === 'compare') return await compare(rest, io);
    if (sub === 'show') return await show(rest, io);
    if (sub === 'reference') return await reference(rest, io);
    io.stdout.write(USAGE);
    return sub === undefined || sub === '--help' || sub === 'help' ? 0 : 2;
  } catch (error) {
    if (error instanceof FactorywatchError) {
      io.stderr.write(`error ${error.code}: ${error.message}${error.path ? ` (at ${error.path})` : ''}\n`);
      return 2;
    }
    if (error instanceof RequestFailed) {
      io.stderr.write(`error: ${error.message}\n`);
      return 1;
    }
    if ((error as { code?: string }).code?.startsWith('ERR_PARSE_ARGS')) {
      io.stderr.write(`${(error as Error).message}\n${USAGE}`);
      return 2;
    }
    throw error;
  }
}

async function compare(args: string[], io: CliIo): Promise<number> {
  const { values } = parseArgs({
    args,
    options: {
      reference: { type: 'string' },
      current: { type: 'string' },
      features: { type: 'string' },
      methods: { type: 'string' },
      bins: { type: 'string' },
      binning: { type: 'string' },
      json: { type: 'boolean', default: false },
      quiet: { type: 'boolean', default: false },
      'fail-on-drift': { type: 'boolean', default: false },
    },
  });
  if (!values.reference || !values.current) {
    throw new FactorywatchError(
      'QUERY_INVALID',
      'compare needs --reference FILE and --current FILE.',
      '--reference',
    );
  }
  const methods = values.methods?.split(',').map((m) => m.trim());
  for (const m of methods ?? []) {
    if (!(METHODS as readonly string[]).includes(m)) {
      throw new FactorywatchError(
        'QUERY_INVALID',
        `Unknown method "${m}"; use ${METHODS.join(', ')}.`,
        '--methods',
      );
    }
  }
  const defaults: Record<string, unknown> = {};
  if (values.bins !== undefined) defaults.bins = Number(values.bins);
  if (values.binning !== undefined) defaults.binning = values.binning as Binning;
  const config = parseDriftConfig({
    ...DRIFT_CONFIG_DEFAULTS,
    defaults: { ...DRIFT_CONFIG_DEFAULTS.defaults, ...defaults },
  });

  const progress = (line: string) => {
    if (!values.quiet) io.stderr.write(`${line}\n`);
  };
  const started = Date.now();
  const ref = await readDataset(values.reference);
  const cur = await readDataset(values.current);
  const cells = (ref.rows + cur.rows) * ref.columns.size;
  const verbose = cells >= PROGRESS_MIN_CELLS;
  if (verbose)
    progress(
      `read ${ref.rows} + ${cur.rows} rows, ${ref.columns.size} columns in ${Date.now() - started} ms`,
    );
  const comparison = compareDatasets(ref, cur, {
    features: values.features
      ?.split(',')
      .map((f) => f.trim())
      .filter(Boolean),
    methods: methods as Method[] | undefined,
    settingsFor: (feature) => featureSettings(config, '', feature),
    onProgress: verbose
      ? (done, total, feature, ms) => progress(`[${done}/${total}] ${feature} (${ms} ms)`)
      : undefined,
  });
  for (const c of comparison.onlyInReference)
    progress(`note: column "${c}" is only in the reference file; skipped`);
  for (const c of comparison.onlyInCurrent)
    progress(`note: column "${c}" is only in the current file; skipped`);
  output(comparison.features, values.json, io);
  return values['fail-on-drift'] && comparison.features.some((f) => f.drift) ? 1 : 0;
}

function output(features: FeatureDrift[], json: boolean, io: CliIo): void {
  io.stdout.write(json ? `${JSON.stringify({ features })}\n` : driftTable(features));
}

async function show(args: string[], io: CliIo): Promise<number> {
  const { values } = parseArgs({
    args,
    options: {
      ...COLLECTOR_OPTIONS,
      model: { type: 'string' },
      version: { type: 'string' },
      segment: { type: 'string' },
      feature: { type: 'string' },
    },
  });
  const query = new URLSearchParams();
  for (const key of ['model', 'version', 'segment', 'feature'] as const) {
    const v = values[key];
    if (v !== undefined) query.set(key, v);
  }
  const body = (await call(values, 'GET', `/v1/drift?${query}`)) as {
    results: (FeatureDrift & Record<string, unknown>)[];
  };
  if (values.json) {
    io.stdout.write(`${JSON.stringify(body)}\n`);
    return 0;
  }
  const groups = new Map<string, FeatureDrift[]>();
  for (const r of body.results) {
    const key = `${r.model} ${r.version}${r.segment ? ` [${r.segment}]` : ''} at ${new Date(r.evaluated_at as number).toISOString()}`;
    groups.set(key, [...(groups.get(key) ?? []), r]);
  }
  if (groups.size === 0) io.stdout.write('no drift results yet\n');
  for (const [key, features] of groups) io.stdout.write(`${key}\n${driftTable(features)}\n`);
  return 0;
}

async function reference(args: string[], io: CliIo): Promise<number> {
  const { values } = parseArgs({
    args,
    options: {
      ...COLLECTOR_OPTIONS,
      model: { type: 'string' },
      version: { type: 'string' },
      segment: { type: 'string' },
      from: { type: 'string' },
      to: { type: 'string' },
      file: { type: 'string' },
      previous: { type: 'boolean', default: false },
    },
  });
  if (!values.model || !values.version) {
    throw new FactorywatchError('QUERY_INVALID', 'reference needs --model and --version.', '--model');
  }
  const chosen = [values.from !== undefined, values.file !== undefined, values.previous].filter(
    Boolean,
  ).length;
  if (chosen !== 1) {
    throw new FactorywatchError(
      'QUERY_INVALID',
      'Pick exactly one of --from (window), --file (dataset) or --previous.',
      '--from',
    );
  }
  const request: Record<string, unknown> = {
    model: values.model,
    version: values.version,
    segment: values.segment ?? '',
  };
  if (values.previous) request.source = 'previous';
  else if (values.file) {
    const data = await readDataset(values.file);
    const records = Array.from({ length: data.rows }, (_, i) => {
      const record: Record<string, string | number | null> = {};
      for (const [name, cells] of data.columns) record[name] = cells[i] ?? null;
      return record;
    });
    Object.assign(request, { source: 'dataset', records });
  } else {
    Object.assign(request, { source: 'window', from: values.from, ...(values.to ? { to: values.to } : {}) });
  }
  const body = (await call(values, 'POST', '/v1/drift/reference', request)) as {
    features: { feature: string; type: string; n: number; missing: number; sketch: boolean }[];
  };
  if (values.json) io.stdout.write(`${JSON.stringify(body)}\n`);
  else {
    io.stdout.write(
      `reference pinned for ${values.model} ${values.version}: ${body.features.length} features\n`,
    );
    for (const f of body.features) {
      io.stdout.write(
        `  ${f.feature} (${f.type}): ${f.n} values, ${f.missing} missing${f.sketch ? ', sketch' : ''}\n`,
      );
    }
  }
  return 0;
}

/** One request to the running collector (`--url`/`--token`, else FACTORYWATCH_URL/FACTORYWATCH_TOKEN). */
function call(
  flags: { url?: string; token?: string },
  method: 'GET' | 'POST',
  path: string,
  body?: unknown,
): Promise<unknown> {
  return requestJson(endpointOf(flags), method, path, body === undefined ? {} : { body });
}
