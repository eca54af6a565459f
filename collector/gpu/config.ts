/** The `gpu` section of the configuration file, with its defaults and validation. */
import { FactorywatchError } from '../errors.js';
import { DEFAULT_STARVATION_WINDOW_MS } from '../pipeline/starvation.js';
import { parseDurationMs } from '../config/duration.js';

/** One dcgm-exporter the collector scrapes itself. */
export interface ScrapeTarget {
  /** The exporter's metrics URL, e.g. http://gpu-node-1:9400/metrics. */
  url: string;
  intervalMs: number;
  /** A scrape slower than this is abandoned and counted as an error (default: the interval). */
  timeoutMs: number;
  /** Added to every row of this target (a known spelling only fills a field the exporter left empty). */
  labels: Record<string, string>;
}

/** Maps allocated GPUs without a `pipeline` label to the pipeline that feeds them. */
export interface PipelineRule {
  pipeline: string;
  /** Glob patterns (`*` any run, `?` one character); an omitted pattern matches anything. */
  namespace: string | null;
  pod: string | null;
  job: string | null;
}

export interface GpuConfig {
  /** Activity strictly below this is idle; the threshold itself is active. */
  threshold: number;
  /** Tenant that scraped samples are stored under. */
  tenant: string;
  /** Nominal interval of a series with a single sample in the window (others use their median spacing). */
  defaultIntervalMs: number;
  /** Nominal intervals are taken up to this; it also bounds how far around a window samples are read. */
  maxIntervalMs: number;
  /** The trailing window of the "growing lag" rule (pipeline/starvation.ts). */
  starvationWindowMs: number;
  /** How often /metrics' GPU idle figures are recomputed. */
  metricsRefreshMs: number;
  scrape: ScrapeTarget[];
  /** Hourly price per whole GPU, keyed by the exporter's modelName; `*` prices any other model. */
  prices: Record<string, number>;
  /** Currency of `prices`, shown by the CLI. */
  currency: string;
  pipelines: PipelineRule[];
}

/**
 * EXAMPLE prices in USD per GPU-hour, roughly on-demand cloud list prices in 2025. They are
 * placeholders so idle cost is never silently zero: set `gpu.prices` to your own rates.
 */
export const EXAMPLE_GPU_PRICES: Readonly<Record<string, number>> = {
  'NVIDIA H100 80GB HBM3': 4.0,
  'NVIDIA H100 PCIe': 3.5,
  'NVIDIA A100 80GB PCIe': 2.5,
  'NVIDIA A100-SXM4-80GB': 2.8,
  'NVIDIA A100-SXM4-40GB': 2.2,
  'NVIDIA L40S': 1.9,
  'NVIDIA L4': 0.8,
  'Tesla T4': 0.35,
  'Tesla V100-SXM2-16GB': 1.5,
};

export const GPU_CONFIG_DEFAULTS: GpuConfig = {
  threshold: 0.05,
  tenant: 'default',
  defaultIntervalMs: 30_000,
  maxIntervalMs: 5 * 60_000,
  starvationWindowMs: DEFAULT_STARVATION_WINDOW_MS,
  metricsRefreshMs: 15_000,
  scrape: [],
  prices: { ...EXAMPLE_GPU_PRICES },
  currency: 'USD',
  pipelines: [],
};

const KNOWN_KEYS = new Set(Object.keys(GPU_CONFIG_DEFAULTS));

/**
 * Validates the merged `gpu` section. Throws FactorywatchError('CONFIG_INVALID', …, path)
 * naming the offending key, e.g. `/gpu/threshold`. Durations accept strings (`30s`, `5m`); plain numbers are milliseconds in `…Ms` keys and seconds in a scrape target's `interval`/`timeout`.
 */
export function parseGpuConfig(raw: Record<string, unknown>): GpuConfig {
  for (const key of Object.keys(raw)) {
    if (!KNOWN_KEYS.has(key)) invalid(`/gpu/${key}`, `Unknown gpu setting "${key}".`);
  }
  const merged = { ...GPU_CONFIG_DEFAULTS, ...raw } as Record<string, unknown>;
  const threshold = merged.threshold;
  if (typeof threshold !== 'number' || !(threshold > 0 && threshold <= 1)) {
    invalid('/gpu/threshold', 'threshold must be a number in (0, 1], e.g. 0.05.');
  }
  const tenant = merged.tenant;
  if (typeof tenant !== 'string' || tenant === '')
    invalid('/gpu/tenant', 'tenant must be a non-empty string.');
  const currency = merged.currency;
  if (typeof currency !== 'string') invalid('/gpu/currency', 'currency must be a string such as "USD".');
  return {
    threshold,
    tenant,
    defaultIntervalMs: duration(merged.defaultIntervalMs, '/gpu/defaultIntervalMs'),
    maxIntervalMs: duration(merged.maxIntervalMs, '/gpu/maxIntervalMs'),
    starvationWindowMs: duration(merged.starvationWindowMs, '/gpu/starvationWindowMs'),
    metricsRefreshMs: duration(merged.metricsRefreshMs, '/gpu/metricsRefreshMs'),
    scrape: list(merged.scrape, '/gpu/scrape').map((t, i) => scrapeTarget(t, `/gpu/scrape/${i}`)),
    prices: prices(merged.prices),
    currency,
    pipelines: list(merged.pipelines, '/gpu/pipelines').map((r, i) => pipelineRule(r, `/gpu/pipelines/${i}`)),
  };
}

function scrapeTarget(raw: unknown, path: string): ScrapeTarget {
  const obj = object(raw, path);
  for (const key of Object.keys(obj)) {
    if (!['url', 'interval', 'timeout', 'labels'].includes(key))
      invalid(`${path}/${key}`, `Unknown scrape setting "${key}".`);
  }
  const url = obj.url;
  if (typeof url !== 'string' || !/^https?:\/\/./.test(url))
    invalid(`${path}/url`, 'url must be an http(s) URL.');
  // Like Prometheus' scrape_interval: "15s", or a number of seconds.
  const intervalMs = duration(obj.interval ?? '30s', `${path}/interval`, 1000);
  const timeoutMs =
    obj.timeout === undefined ? Math.min(intervalMs, 10_000) : duration(obj.timeout, `${path}/timeout`, 1000);
  const labels = object(obj.labels ?? {}, `${path}/labels`);
  for (const [name, value] of Object.entries(labels)) {
    if (typeof value !== 'string') invalid(`${path}/labels/${name}`, 'label values must be strings.');
  }
  return { url, intervalMs, timeoutMs, labels: labels as Record<string, string> };
}

function pipelineRule(raw: unknown, path: string): PipelineRule {
  const obj = object(raw, path);
  for (const key of Object.keys(obj)) {
    if (!['pipeline', 'namespace', 'pod', 'job'].includes(key))
      invalid(`${path}/${key}`, `Unknown rule key "${key}".`);
  }
  const pattern = (key: string): string | null => {
    const v = obj[key];
    if (v === undefined || v === null) return null;
    if (typeof v !== 'string' || v === '')
      invalid(`${path}/${key}`, `${key} must be a non-empty glob pattern.`);
    return v;
  };
  const pipeline = obj.pipeline;
  if (typeof pipeline !== 'string' || pipeline === '')
    invalid(`${path}/pipeline`, 'pipeline must name a pipeline.');
  const rule = { pipeline, namespace: pattern('namespace'), pod: pattern('pod'), job: pattern('job') };
  if (rule.namespace === null && rule.pod === null && rule.job === null) {
    invalid(path, 'a pipeline rule needs at least one of namespace, pod or job.');
  }
  return rule;
}

function prices(raw: unknown): Record<string, number> {
  const obj = object(raw, '/gpu/prices');
  for (const [model, price] of Object.entries(obj)) {
    if (typeof price !== 'number' || !(price >= 0) || !Number.isFinite(price)) {
      invalid(`/gpu/prices/${model}`, 'a price must be a non-negative number per GPU-hour.');
    }
  }
  return obj as Record<string, number>;
}

/** A duration: a string such as "30s", or a number in `numberUnitMs` (1000 for seconds, 1 for ms). */
function duration(raw: unknown, path: string, numberUnitMs = 1): number {
  const ms =
    typeof raw === 'number'
      ? Number.isFinite(raw)
        ? raw * numberUnitMs
        : undefined
      : typeof raw === 'string'
        ? parseDurationMs(raw)
        : undefined;
  if (ms === undefined || !(ms > 0))
    invalid(path, 'expected a positive duration such as "30s", "5m" or a number of seconds.');
  return ms;
}

function list(raw: unknown, path: string): unknown[] {
  if (!Array.isArray(raw)) invalid(path, 'expected a list.');
  return raw;
}

function object(raw: unknown, path: string): Record<string, unknown> {
  if (typeof raw !== 'object' || raw === null || Array.isArray(raw)) invalid(path, 'expected a mapping.');
  return raw as Record<string, unknown>;
}

function invalid(path: string, message: string): never {
  throw new FactorywatchError('CONFIG_INVALID', message, path);
}
