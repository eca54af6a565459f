/**
 * The configuration: defaults < config file < FACTORYWATCH_* environment < command-line flags,
 * merged by one pure function, `resolveConfig`. Each part of the design validates its own section.
 */
import { FactorywatchError } from '../errors.js';
import { DRIFT_CONFIG_DEFAULTS, parseDriftConfig, type DriftConfig } from '../drift/config.js';
import { GPU_CONFIG_DEFAULTS, parseGpuConfig, type GpuConfig } from '../gpu/config.js';
import {
  GOVERNANCE_CONFIG_DEFAULTS,
  parseGovernanceConfig,
  type GovernanceConfig,
} from '../governance/config.js';
import { HEALTH_CONFIG_DEFAULTS, parseHealthConfig, type HealthConfig } from '../pipeline/config.js';

export interface WalConfig {
  /** Unapplied WAL bytes above which ingest answers 503 WAL_FULL. */
  maxBytes: number;
  /** A segment file is closed and a new one started past this size. */
  segmentBytes: number;
  /** Upper bound of records the writer applies to the store in one batch. */
  batchMaxRecords: number;
  /** How long the writer waits to fill a batch before applying what it has. */
  batchMaxDelayMs: number;
}

export interface Config {
  host: string;
  port: number;
  dataDir: string;
  /** `duckdb:PATH` or `clickhouse:http://host:8123[?database=…]`. */
  store: string;
  logLevel: 'fatal' | 'error' | 'warn' | 'info' | 'debug' | 'trace' | 'silent';
  /** Largest accepted request body in bytes. */
  bodyLimitBytes: number;
  /** Most features one prediction may carry. */
  maxFeatures: number;
  wal: WalConfig;
  drift: DriftConfig;
  gpu: GpuConfig;
  governance: GovernanceConfig;
  health: HealthConfig;
}

export const CONFIG_DEFAULTS: Config = {
  host: '127.0.0.1',
  port: 8787,
  dataDir: './data',
  store: '',
  logLevel: 'info',
  bodyLimitBytes: 16 * 1024 * 1024,
  maxFeatures: 1000,
  wal: {
    maxBytes: 1024 * 1024 * 1024,
    segmentBytes: 64 * 1024 * 1024,
    batchMaxRecords: 20_000,
    batchMaxDelayMs: 200,
  },
  drift: DRIFT_CONFIG_DEFAULTS,
  gpu: GPU_CONFIG_DEFAULTS,
  governance: GOVERNANCE_CONFIG_DEFAULTS,
  health: HEALTH_CONFIG_DEFAULTS,
};

/** Flags and environment variables that set top-level keys: flag name → [config key, kind]. */
export const SCALAR_OPTIONS = {
  host: ['host', 'string'],
  port: ['port', 'integer'],
  'data-dir': ['dataDir', 'string'],
  store: ['store', 'string'],
  'log-level': ['logLevel', 'string'],
  'body-limit-bytes': ['bodyLimitBytes', 'integer'],
  'wal-max-bytes': ['wal.maxBytes', 'integer'],
} as const satisfies Record<string, readonly [string, 'string' | 'integer']>;

export type ScalarOption = keyof typeof SCALAR_OPTIONS;

/** `data-dir` → `FACTORYWATCH_DATA_DIR`. */
export function envName(option: string): string {
  return `FACTORYWATCH_${option.toUpperCase().replaceAll('-', '_')}`;
}

export interface ConfigSources {
  /** The parsed config file (YAML or JSON), if any. */
  file?: unknown;
  /** The process environment; only FACTORYWATCH_* variables are read. */
  env?: Readonly<Record<string, string | undefined>>;
  /** Command-line flags by option name (see SCALAR_OPTIONS). */
  flags?: Partial<Record<ScalarOption, string | undefined>>;
}

/** Merges defaults < file < env < flags and validates the result. Pure: no I/O. */
export function resolveConfig(sources: ConfigSources): Config {
  const file = sources.file ?? {};
  if (!isPlainObject(file))
    throw new FactorywatchError('CONFIG_INVALID', 'The config file must hold a mapping.', '/');
  let merged = deepMerge(CONFIG_DEFAULTS as unknown as Record<string, unknown>, file);
  for (const [option, [key, kind]] of Object.entries(SCALAR_OPTIONS)) {
    const fromEnv = sources.env?.[envName(option)];
    const fromFlag = sources.flags?.[option as ScalarOption];
    for (const [raw, origin] of [
      [fromEnv, envName(option)],
      [fromFlag, `--${option}`],
    ] as const) {
      if (raw === undefined || raw === '') continue;
      merged = setPath(merged, key, convert(raw, kind, origin));
    }
  }
  return validate(merged);
}

function convert(raw: string, kind: 'string' | 'integer', origin: string): string | number {
  if (kind === 'string') return raw;
  const value = Number(raw);
  if (!Number.isSafeInteger(value))
    throw new FactorywatchError('CONFIG_INVALID', `${origin} must be an integer, got "${raw}".`, origin);
  return value;
}

function validate(raw: Record<string, unknown>): Config {
  const known = new Set(Object.keys(CONFIG_DEFAULTS));
  for (const key of Object.keys(raw)) {
    if (!known.has(key))
      throw new FactorywatchError('CONFIG_INVALID', `Unknown configuration key "${key}".`, `/${key}`);
  }
  const str = (key: string) => {
    const v = raw[key];
    if (typeof v !== 'string')
      throw new FactorywatchError('CONFIG_INVALID', `${key} must be a string.`, `/${key}`);
    return v;
  };
  const int = (
    obj: Record<string, unknown>,
    key: string,
    path: string,
    min: number,
    max = Number.MAX_SAFE_INTEGER,
  ) => {
    const v = obj[key];
    if (typeof v !== 'number' || !Number.isInteger(v) || v < min || v > max) {
      throw new FactorywatchError('CONFIG_INVALID', `${key} must be an integer from ${min} to ${max}.`, path);
    }
    return v;
  };
  const logLevels = ['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'];
  const logLevel = str('logLevel');
  if (!logLevels.includes(logLevel)) {
    throw new FactorywatchError(
      'CONFIG_INVALID',
      `logLevel must be one of ${logLevels.join(', ')}.`,
      '/logLevel',
    );
  }
  const dataDir = str('dataDir');
  const store = str('store') || `duckdb:${dataDir.replace(/\/+$/, '')}/factorywatch.duckdb`;
  if (!/^(duckdb:.+|clickhouse:https?:\/\/.+)$/.test(store)) {
    throw new FactorywatchError(
      'CONFIG_INVALID',
      'store must be duckdb:PATH or clickhouse:http://host:8123.',
      '/store',
    );
  }
  const wal = section(raw, 'wal');
  return {
    host: str('host'),
    port: int(raw, 'port', '/port', 0, 65535),
    dataDir,
    store,
    logLevel: logLevel as Config['logLevel'],
    bodyLimitBytes: int(raw, 'bodyLimitBytes', '/bodyLimitBytes', 1024),
    maxFeatures: int(raw, 'maxFeatures', '/maxFeatures', 1),
    wal: {
      maxBytes: int(wal, 'maxBytes', '/wal/maxBytes', 1024),
      segmentBytes: int(wal, 'segmentBytes', '/wal/segmentBytes', 1024),
      batchMaxRecords: int(wal, 'batchMaxRecords', '/wal/batchMaxRecords', 1),
      batchMaxDelayMs: int(wal, 'batchMaxDelayMs', '/wal/batchMaxDelayMs', 0),
    },
    drift: parseDriftConfig(section(raw, 'drift')),
    gpu: parseGpuConfig(section(raw, 'gpu')),
    governance: parseGovernanceConfig(section(raw, 'governance')),
    health: parseHealthConfig(section(raw, 'health')),
  };
}

function section(raw: Record<string, unknown>, key: string): Record<string, unknown> {
  const v = raw[key];
  if (!isPlainObject(v))
    throw new FactorywatchError('CONFIG_INVALID', `${key} must be a mapping.`, `/${key}`);
  return v;
}

function isPlainObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** Objects merge key by key; anything else (arrays included) replaces. */
function deepMerge(base: Record<string, unknown>, over: Record<string, unknown>): Record<string, unknown> {
  const out: Record<string, unknown> = { ...base };
  for (const [key, value] of Object.entries(over)) {
    const current = out[key];
    out[key] = isPlainObject(current) && isPlainObject(value) ? deepMerge(current, value) : value;
  }
  return out;
}

function setPath(obj: Record<string, unknown>, path: string, value: unknown): Record<string, unknown> {
  const [head, ...rest] = path.split('.') as [string, ...string[]];
  if (rest.length === 0) return { ...obj, [head]: value };
  const child = isPlainObject(obj[head]) ? (obj[head] as Record<string, unknown>) : {};
  return { ...obj, [head]: setPath(child, rest.join('.'), value) };
}
