/**
 * The `health` section of the configuration file (model and pipeline health), with its defaults
 * and validation. Per-model and per-pipeline overrides are merged over the defaults here, once,
 * so the evaluation code only looks settings up.
 */
import { FactorywatchError } from '../errors.js';

/** How one model's predictions are scored against labels. */
export interface ModelSettings {
  /** `auto` picks regression when any label is not 0/1 or any numeric prediction lies outside [0, 1]. */
  task: 'auto' | 'classification' | 'regression';
  /** A numeric prediction (score) at or above this counts as the positive class 1. */
  decisionThreshold: number;
  /** For class-name predictions: the positive class (binary precision/recall/F1); null = macro average. */
  positiveClass: string | null;
}

/** The rules behind a pipeline stage's status; every one is documented in the README ("Model and pipeline health"). */
export interface PipelineThresholds {
  /** Baseline window for throughput, error rate and output/input ratio. */
  windowSeconds: number;
  /** The latest part of the window whose throughput is compared with the rest. */
  recentSeconds: number;
  /** Window of the queue-depth and lag trends. */
  trendSeconds: number;
  /** Fewest reports in the recent part (or trend window) before a trend verdict is given. */
  minPoints: number;
  /** No successful report for longer than this: stalled. */
  stalledAfterSeconds: number;
  /** Recent throughput below this share of the baseline: throughput_collapsed. */
  collapseRatio: number;
  /** A trend counts only when its least-squares slope has a t statistic at least this large. */
  trendMinT: number;
  /** Queue growth over the trend window must reach this many items… */
  queueGrowthMin: number;
  /** …and this share of the mean queue depth, to be queue_growing. */
  queueGrowthRelative: number;
  /** Lag growth over the trend window that makes the stage degraded (lag_growing). */
  lagGrowthMinSeconds: number;
  /** Latest lag above this: degraded (lag_high). */
  maxLagSeconds: number;
  /** errors / rows_in over the window above this: degraded (error_rate_high). */
  maxErrorRate: number;
  /** rows_out / rows_in over the window below this: degraded (output_ratio_low); 0 turns it off. */
  minOutputRatio: number;
}

export interface HealthConfig {
  /** How often /metrics' model and pipeline series are recomputed from the store. */
  refreshSeconds: number;
  models: {
    /** Default query window of GET /v1/models and the window of factorywatch_model_quality. */
    windowSeconds: number;
    defaults: ModelSettings;
    /** Model name → its settings (defaults merged in). */
    overrides: Readonly<Record<string, ModelSettings>>;
  };
  pipelines: {
    /** A stage that has not reported for this long is no longer listed. */
    forgetAfterSeconds: number;
    defaults: PipelineThresholds;
    /** Pipeline name → its thresholds (defaults merged in). */
    overrides: Readonly<Record<string, PipelineThresholds>>;
  };
}

export const MODEL_SETTINGS_DEFAULTS: ModelSettings = {
  task: 'auto',
  decisionThreshold: 0.5,
  positiveClass: null,
};

export const PIPELINE_THRESHOLD_DEFAULTS: PipelineThresholds = {
  windowSeconds: 3600,
  recentSeconds: 300,
  trendSeconds: 900,
  minPoints: 6,
  stalledAfterSeconds: 600,
  collapseRatio: 0.25,
  trendMinT: 3,
  queueGrowthMin: 10,
  queueGrowthRelative: 0.5,
  lagGrowthMinSeconds: 60,
  maxLagSeconds: 900,
  maxErrorRate: 0.05,
  minOutputRatio: 0,
};

export const HEALTH_CONFIG_DEFAULTS: HealthConfig = {
  refreshSeconds: 15,
  models: { windowSeconds: 86_400, defaults: MODEL_SETTINGS_DEFAULTS, overrides: {} },
  pipelines: { forgetAfterSeconds: 7 * 86_400, defaults: PIPELINE_THRESHOLD_DEFAULTS, overrides: {} },
};

/** The settings of `model`: its override, else the defaults. */
export function modelSettings(config: HealthConfig, model: string): ModelSettings {
  return config.models.overrides[model] ?? config.models.defaults;
}

/** The thresholds of `pipeline`: its override, else the defaults. */
export function pipelineThresholds(config: HealthConfig, pipeline: string): PipelineThresholds {
  return config.pipelines.overrides[pipeline] ?? config.pipelines.defaults;
}

/**
 * Validates the merged `health` section. Throws FactorywatchError('CONFIG_INVALID', …, path)
 * naming the offending key, e.g. `/health/pipelines/overrides/etl/collapseRatio`.
 */
export function parseHealthConfig(raw: Record<string, unknown>): HealthConfig {
  const path = '/health';
  onlyKeys(raw, ['refreshSeconds', 'models', 'pipelines'], path);
  const models = mapping(raw.models ?? {}, `${path}/models`);
  onlyKeys(models, ['windowSeconds', 'defaults', 'overrides'], `${path}/models`);
  const pipelines = mapping(raw.pipelines ?? {}, `${path}/pipelines`);
  onlyKeys(pipelines, ['forgetAfterSeconds', 'defaults', 'overrides'], `${path}/pipelines`);

  const modelDefaults = parseModelSettings(
    mapping(models.defaults ?? {}, `${path}/models/defaults`),
    MODEL_SETTINGS_DEFAULTS,
    `${path}/models/defaults`,
  );
  const pipelineDefaults = parseThresholds(
    mapping(pipelines.defaults ?? {}, `${path}/pipelines/defaults`),
    PIPELINE_THRESHOLD_DEFAULTS,
    `${path}/pipelines/defaults`,
  );
  return {
    refreshSeconds: number(raw.refreshSeconds ?? 15, `${path}/refreshSeconds`, 1, 3600),
    models: {
      windowSeconds: number(models.windowSeconds ?? 86_400, `${path}/models/windowSeconds`, 1),
      defaults: modelDefaults,
      overrides: overridesOf(models.overrides ?? {}, `${path}/models/overrides`, (o, p) =>
        parseModelSettings(o, modelDefaults, p),
      ),
    },
    pipelines: {
      forgetAfterSeconds: number(
        pipelines.forgetAfterSeconds ?? 7 * 86_400,
        `${path}/pipelines/forgetAfterSeconds`,
        1,
      ),
      defaults: pipelineDefaults,
      overrides: overridesOf(pipelines.overrides ?? {}, `${path}/pipelines/overrides`, (o, p) =>
        parseThresholds(o, pipelineDefaults, p),
      ),
    },
  };
}

function parseModelSettings(raw: Record<string, unknown>, base: ModelSettings, path: string): ModelSettings {
  onlyKeys(raw, Object.keys(MODEL_SETTINGS_DEFAULTS), path);
  const task = raw.task ?? base.task;
  if (task !== 'auto' && task !== 'classification' && task !== 'regression') {
    throw invalid(`${path}/task`, 'task must be auto, classification or regression.');
  }
  const positiveClass = raw.positiveClass === undefined ? base.positiveClass : raw.positiveClass;
  if (positiveClass !== null && (typeof positiveClass !== 'string' || positiveClass === '')) {
    throw invalid(`${path}/positiveClass`, 'positiveClass must be a class name or null.');
  }
  return {
    task,
    decisionThreshold: number(
      raw.decisionThreshold ?? base.decisionThreshold,
      `${path}/decisionThreshold`,
      0,
      1,
    ),
    positiveClass,
  };
}

function parseThresholds(
  raw: Record<string, unknown>,
  base: PipelineThresholds,
  path: string,
): PipelineThresholds {
  onlyKeys(raw, Object.keys(PIPELINE_THRESHOLD_DEFAULTS), path);
  const out = { ...base };
  for (const key of Object.keys(base) as (keyof PipelineThresholds)[]) {
    if (raw[key] === undefined) continue;
    const ratio = key === 'collapseRatio' || key === 'maxErrorRate' || key === 'minOutputRatio';
    out[key] = number(raw[key], `${path}/${key}`, 0, ratio ? 1 : Number.MAX_SAFE_INTEGER);
  }
  const positive = ['windowSeconds', 'recentSeconds', 'trendSeconds', 'stalledAfterSeconds'] as const;
  for (const key of positive) if (out[key] <= 0) throw invalid(`${path}/${key}`, `${key} must be above 0.`);
  if (out.minPoints < 3 || !Number.isInteger(out.minPoints)) {
    throw invalid(
      `${path}/minPoints`,
      'minPoints must be an integer of at least 3 (a trend needs 3 points).',
    );
  }
  if (out.recentSeconds >= out.windowSeconds) {
    throw invalid(`${path}/recentSeconds`, 'recentSeconds must be shorter than windowSeconds.');
  }
  if (out.trendSeconds > out.windowSeconds) {
    throw invalid(`${path}/trendSeconds`, 'trendSeconds must not exceed windowSeconds.');
  }
  return out;
}

function overridesOf<T>(
  raw: unknown,
  path: string,
  parse: (value: Record<string, unknown>, path: string) => T,
): Record<string, T> {
  const out: Record<string, T> = {};
  for (const [name, value] of Object.entries(mapping(raw, path))) {
    out[name] = parse(mapping(value, `${path}/${name}`), `${path}/${name}`);
  }
  return out;
}

function mapping(value: unknown, path: string): Record<string, unknown> {
  if (typeof value !== 'object' || value === null || Array.isArray(value))
    throw invalid(path, 'must be a mapping.');
  return value as Record<string, unknown>;
}

function onlyKeys(raw: Record<string, unknown>, allowed: readonly string[], path: string): void {
  for (const key of Object.keys(raw)) {
    if (!allowed.includes(key)) {
      throw invalid(`${path}/${key}`, `unknown key "${key}"; expected one of ${allowed.join(', ')}.`);
    }
  }
}

function number(value: unknown, path: string, min: number, max = Number.MAX_SAFE_INTEGER): number {
  if (typeof value !== 'number' || !Number.isFinite(value) || value < min || value > max) {
    throw invalid(path, `must be a number from ${min} to ${max}.`);
  }
  return value;
}

function invalid(path: string, message: string): FactorywatchError {
  return new FactorywatchError('CONFIG_INVALID', `${path}: ${message}`, path);
}
