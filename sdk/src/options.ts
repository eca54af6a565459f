/**
 * The monitor's options, validated once at construction (STYLE rule 5): the hot path never checks
 * configuration. A problem here makes `createMonitor` return a no-op monitor with one warning,
 * never an exception in the host.
 */
import type { Logger } from './logger.js';
import { WIRE_LIMITS } from './wire.js';

/**
 * Options of {@link createMonitor}. `endpoint` and `token` fall back to the `FACTORYWATCH_URL`
 * and `FACTORYWATCH_TOKEN` environment variables (the ones `factorywatch demo` prints and the CLI reads).
 *
 * @example
 * ```ts
 * const options: MonitorOptions = {
 *   endpoint: 'http://127.0.0.1:8787',
 *   token: process.env.FACTORYWATCH_TOKEN,
 *   model: 'flight-delay',
 *   version: '2024-06-01',
 *   batchSize: 500,
 *   flushIntervalMs: 1000,
 *   maxQueue: 10_000,
 * };
 * ```
 */
export interface MonitorOptions {
  /** Base URL of the collector, e.g. `http://collector:8787` (a path prefix is kept). */
  endpoint?: string;
  /** Bearer token with the `service` role (`factorywatch token create --role service`). */
  token?: string;
  /** Model name every prediction is logged under. */
  model: string;
  /** Model version every prediction is logged under. */
  version: string;
  /** Default segment (e.g. a region or a customer tier); `logPrediction` may override it. */
  segment?: string;
  /** Records per request, and the queue length that triggers a send. Default 500. */
  batchSize?: number;
  /** Longest time a record waits before it is sent. Default 1000 ms. */
  flushIntervalMs?: number;
  /** Records held per stream while the collector is slow or away; past it the oldest are dropped. Default 10,000. */
  maxQueue?: number;
  /** Time limit of one HTTP request. Default 10,000 ms. */
  requestTimeoutMs?: number;
  /** Time `shutdown()` may take to deliver what is queued. Default 5,000 ms. */
  shutdownTimeoutMs?: number;
  /** First retry delay; doubles per failure, with jitter. Default 200 ms. */
  retryBaseDelayMs?: number;
  /** Longest retry delay (a larger Retry-After is capped at five minutes). Default 30,000 ms. */
  retryMaxDelayMs?: number;
  /** Gzip request bodies larger than 1 KiB. Default true. */
  gzip?: boolean;
  /** Flush and shut down on SIGTERM, SIGINT and when the event loop empties. Default false. */
  flushOnExit?: boolean;
  /** Where problems are reported, once per kind. Default: nowhere (they are still counted). */
  logger?: Logger;
}

/** The options after validation, with every default filled in. */
export interface ResolvedOptions {
  readonly endpoint: URL;
  readonly token: string;
  readonly model: string;
  readonly version: string;
  readonly segment: string | undefined;
  readonly batchSize: number;
  readonly flushIntervalMs: number;
  readonly maxQueue: number;
  readonly requestTimeoutMs: number;
  readonly shutdownTimeoutMs: number;
  readonly retryBaseDelayMs: number;
  readonly retryMaxDelayMs: number;
  readonly gzip: boolean;
  readonly flushOnExit: boolean;
  readonly logger: Logger | undefined;
}

/**
 * The defaults, in one place.
 *
 * @example
 * ```ts
 * createMonitor({ ...options, maxQueue: DEFAULT_OPTIONS.maxQueue * 4 }); // a burstier host
 * ```
 */
export const DEFAULT_OPTIONS = {
  batchSize: 500,
  flushIntervalMs: 1000,
  maxQueue: 10_000,
  requestTimeoutMs: 10_000,
  shutdownTimeoutMs: 5_000,
  retryBaseDelayMs: 200,
  retryMaxDelayMs: 30_000,
  gzip: true,
  flushOnExit: false,
} as const;

const KNOWN_KEYS = new Set<string>([
  'endpoint',
  'token',
  'model',
  'version',
  'segment',
  'batchSize',
  'flushIntervalMs',
  'maxQueue',
  'requestTimeoutMs',
  'shutdownTimeoutMs',
  'retryBaseDelayMs',
  'retryMaxDelayMs',
  'gzip',
  'flushOnExit',
  'logger',
]);

/** The outcome of {@link resolveOptions}: the options, or every problem found (not just the first). */
export type OptionsResult =
  | { ok: true; options: ResolvedOptions; warnings: string[] }
  | { ok: false; problems: string[]; logger: Logger | undefined };

/**
 * Validates `input` and fills in defaults and environment fallbacks. Pure but for reading `env`.
 *
 * @example
 * ```ts
 * const result = resolveOptions({ endpoint: 'http://localhost:8787', token: 't', model: 'm', version: '1' });
 * if (!result.ok) console.error(result.problems.join('\n'));
 * ```
 */
export function resolveOptions(input: unknown, env: NodeJS.ProcessEnv = process.env): OptionsResult {
  if (typeof input !== 'object' || input === null) {
    return { ok: false, problems: ['options must be an object'], logger: undefined };
  }
  const o = input as Record<string, unknown>;
  const problems: string[] = [];
  const warnings: string[] = [];
  const logger = isLogger(o.logger) ? o.logger : undefined;
  if (o.logger !== undefined && logger === undefined)
    problems.push('logger must have a warn(message) method');
  for (const key of Object.keys(o)) {
    if (!KNOWN_KEYS.has(key)) warnings.push(`unknown option "${key}" is ignored; check its spelling`);
  }

  const endpoint = parseEndpoint(o.endpoint ?? env.FACTORYWATCH_URL, problems);
  const token = o.token ?? env.FACTORYWATCH_TOKEN;
  if (typeof token !== 'string' || token.trim() === '' || /[\r\n]/.test(token)) {
    problems.push('token must be a non-empty single-line string (or set FACTORYWATCH_TOKEN)');
  }
  const model = name(o.model, 'model', problems, true);
  const version = name(o.version, 'version', problems, true);
  const segment = name(o.segment, 'segment', problems, false);
  const batchSize = integer(o.batchSize, 'batchSize', DEFAULT_OPTIONS.batchSize, 1, 50_000, problems);
  const flushIntervalMs = integer(
    o.flushIntervalMs,
    'flushIntervalMs',
    DEFAULT_OPTIONS.flushIntervalMs,
    10,
    3_600_000,
    problems,
  );
  const maxQueue = integer(
    o.maxQueue,
    'maxQueue',
    Math.max(DEFAULT_OPTIONS.maxQueue, batchSize),
    1,
    10_000_000,
    problems,
  );
  if (maxQueue < batchSize) problems.push(`maxQueue (${maxQueue}) must be at least batchSize (${batchSize})`);
  const requestTimeoutMs = integer(
    o.requestTimeoutMs,
    'requestTimeoutMs',
    DEFAULT_OPTIONS.requestTimeoutMs,
    1,
    600_000,
    problems,
  );
  const shutdownTimeoutMs = integer(
    o.shutdownTimeoutMs,
    'shutdownTimeoutMs',
    DEFAULT_OPTIONS.shutdownTimeoutMs,
    0,
    600_000,
    problems,
  );
  const retryBaseDelayMs = integer(
    o.retryBaseDelayMs,
    'retryBaseDelayMs',
    DEFAULT_OPTIONS.retryBaseDelayMs,
    1,
    600_000,
    problems,
  );
  const retryMaxDelayMs = integer(
    o.retryMaxDelayMs,
    'retryMaxDelayMs',
    DEFAULT_OPTIONS.retryMaxDelayMs,
    1,
    600_000,
    problems,
  );
  if (retryMaxDelayMs < retryBaseDelayMs) problems.push('retryMaxDelayMs must be at least retryBaseDelayMs');
  const gzip = boolean(o.gzip, 'gzip', DEFAULT_OPTIONS.gzip, problems);
  const flushOnExit = boolean(o.flushOnExit, 'flushOnExit', DEFAULT_OPTIONS.flushOnExit, problems);

  if (problems.length > 0 || endpoint === undefined) return { ok: false, problems, logger };
  return {
    ok: true,
    warnings,
    options: {
      endpoint,
      token: (token as string).trim(),
      model: model as string,
      version: version as string,
      segment,
      batchSize,
      flushIntervalMs,
      maxQueue,
      requestTimeoutMs,
      shutdownTimeoutMs,
      retryBaseDelayMs,
      retryMaxDelayMs,
      gzip,
      flushOnExit,
      logger,
    },
  };
}

function isLogger(value: unknown): value is Logger {
  return typeof value === 'object' && value !== null && typeof (value as Logger).warn === 'function';
}

function parseEndpoint(value: unknown, problems: string[]): URL | undefined {
  if (typeof value !== 'string' || value === '') {
    problems.push('endpoint must be the collector URL, e.g. http://127.0.0.1:8787 (or set FACTORYWATCH_URL)');
    return undefined;
  }
  let url: URL;
  try {
    url = new URL(value);
  } catch {
    problems.push(`endpoint "${value}" is not a URL; expected e.g. http://127.0.0.1:8787`);
    return undefined;
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:') {
    problems.push(`endpoint must use http: or https:, not ${url.protocol}`);
    return undefined;
  }
  // Normalise to a base that ends in "/" so "v1/predictions" resolves under any path prefix.
  if (!url.pathname.endsWith('/')) url.pathname += '/';
  url.search = '';
  url.hash = '';
  return url;
}

function name(value: unknown, key: string, problems: string[], required: boolean): string | undefined {
  if (value === undefined && !required) return undefined;
  if (typeof value !== 'string' || value.length === 0 || value.length > WIRE_LIMITS.name) {
    problems.push(`${key} must be a string of 1 to ${WIRE_LIMITS.name} characters`);
    return undefined;
  }
  return value;
}

function integer(
  value: unknown,
  key: string,
  fallback: number,
  min: number,
  max: number,
  problems: string[],
): number {
  if (value === undefined) return fallback;
  if (typeof value !== 'number' || !Number.isInteger(value) || value < min || value > max) {
    problems.push(`${key} must be an integer from ${min} to ${max}, got ${String(value)}`);
    return fallback;
  }
  return value;
}

function boolean(value: unknown, key: string, fallback: boolean, problems: string[]): boolean {
  if (value === undefined) return fallback;
  if (typeof value !== 'boolean') {
    problems.push(`${key} must be true or false, got ${String(value)}`);
    return fallback;
  }
  return value;
}
