/**
 * The `drift` section of the configuration file, with its defaults and validation. Per-model and
 * per-feature overrides are validated here, once; `featureSettings` merges them so evaluation
 * only looks settings up.
 */
import { FactorywatchError } from '../errors.js';

/** The numbers behind the default decision (README, "The default decision"). */
export interface DriftThresholds {
  /** A distribution test (KS for numeric, chi-square for categorical) is significant below this p-value. */
  alpha: number;
  /** PSI at or above: warning (industry habit 0.1). */
  psiWarn: number;
  /** PSI at or above: drift (industry habit 0.25). */
  psiDrift: number;
  /** KS statistic D at or above: warning (numeric features). */
  ksWarn: number;
  /** KS statistic D at or above: drift (numeric features). */
  ksDrift: number;
  /** Missing share rising by at least this much (current − reference): warning. */
  missingWarn: number;
}

/** `quantile`: reference-decile bins (ours); `evidently`: Evidently's Sturges bins over the combined range. */
export type Binning = 'quantile' | 'evidently';

/** What can be set per model and per feature. */
export interface FeatureSettings {
  thresholds: DriftThresholds;
  /** Number of quantile bins of numeric PSI. */
  bins: number;
  binning: Binning;
}

/** A partial override of FeatureSettings. */
export interface SettingsOverride {
  thresholds?: Partial<DriftThresholds>;
  bins?: number;
  binning?: Binning;
}

/** One model's override, with per-feature overrides on top. */
export interface ModelOverride extends SettingsOverride {
  features?: Readonly<Record<string, SettingsOverride>>;
}

export interface DriftConfig {
  /** Whether the scheduler evaluates drift in the background. */
  enabled: boolean;
  /** How often the scheduler evaluates every model/version/segment. */
  intervalSeconds: number;
  /** The current window: the last this-many seconds of predictions. */
  windowSeconds: number;
  /**
   * A window larger than this many values per feature is compared through a quantile sketch of
   * `sketchSize` bins instead of the full sorted column (KS error bound reported per result).
   */
  exactMaxRows: number;
  /** Bins of the quantile sketch used above exactMaxRows (error of D ≤ largest bin share). */
  sketchSize: number;
  /** Defaults for every model and feature. */
  defaults: FeatureSettings;
  /** Model name → override. */
  models: Readonly<Record<string, ModelOverride>>;
}

export const DRIFT_THRESHOLD_DEFAULTS: DriftThresholds = {
  alpha: 0.05,
  psiWarn: 0.1,
  psiDrift: 0.25,
  ksWarn: 0.1,
  ksDrift: 0.2,
  missingWarn: 0.1,
};

export const DRIFT_CONFIG_DEFAULTS: DriftConfig = {
  enabled: true,
  intervalSeconds: 300,
  windowSeconds: 3600,
  exactMaxRows: 1_000_000,
  sketchSize: 4096,
  defaults: { thresholds: DRIFT_THRESHOLD_DEFAULTS, bins: 10, binning: 'quantile' },
  models: {},
};

/** The settings of one model's feature: defaults < model override < feature override. */
export function featureSettings(config: DriftConfig, model: string, feature: string): FeatureSettings {
  const modelOverride = config.models[model];
  const featureOverride = modelOverride?.features?.[feature];
  return mergeSettings(mergeSettings(config.defaults, modelOverride), featureOverride);
}

function mergeSettings(base: FeatureSettings, over: SettingsOverride | undefined): FeatureSettings {
  if (!over) return base;
  return {
    thresholds: { ...base.thresholds, ...over.thresholds },
    bins: over.bins ?? base.bins,
    binning: over.binning ?? base.binning,
  };
}

/**
 * Validates the merged `drift` section. Throws FactorywatchError('CONFIG_INVALID', …, path)
 * naming the offending key, e.g. `/drift/defaults/thresholds/alpha`.
 */
export function parseDriftConfig(raw: Record<string, unknown>): DriftConfig {
  const path = '/drift';
  known(
    raw,
    ['enabled', 'intervalSeconds', 'windowSeconds', 'exactMaxRows', 'sketchSize', 'defaults', 'models'],
    path,
  );
  const enabled = raw.enabled ?? DRIFT_CONFIG_DEFAULTS.enabled;
  if (typeof enabled !== 'boolean') invalid(`${path}/enabled`, 'enabled must be true or false.');
  const defaultsRaw = mapping(raw.defaults ?? {}, `${path}/defaults`);
  const defaults = mergeSettings(
    DRIFT_CONFIG_DEFAULTS.defaults,
    parseOverride(defaultsRaw, `${path}/defaults`),
  );
  checkThresholds(defaults.thresholds, `${path}/defaults/thresholds`);
  const models: Record<string, ModelOverride> = {};
  for (const [model, value] of Object.entries(mapping(raw.models ?? {}, `${path}/models`))) {
    const modelPath = `${path}/models/${model}`;
    const modelRaw = mapping(value, modelPath);
    const features: Record<string, SettingsOverride> = {};
    for (const [feature, fv] of Object.entries(mapping(modelRaw.features ?? {}, `${modelPath}/features`))) {
      features[feature] = parseOverride(
        mapping(fv, `${modelPath}/features/${feature}`),
        `${modelPath}/features/${feature}`,
      );
    }
    const { features: _features, ...rest } = modelRaw;
    models[model] = { ...parseOverride(rest, modelPath), features };
  }
  const config: DriftConfig = {
    enabled,
    intervalSeconds: integer(raw, 'intervalSeconds', path, 1),
    windowSeconds: integer(raw, 'windowSeconds', path, 1),
    exactMaxRows: integer(raw, 'exactMaxRows', path, 1000),
    sketchSize: integer(raw, 'sketchSize', path, 16, 1_000_000),
    defaults,
    models,
  };
  // Every merged combination must still be coherent (e.g. warn ≤ drift).
  for (const [model, override] of Object.entries(models)) {
    checkThresholds(featureSettings(config, model, '').thresholds, `${path}/models/${model}/thresholds`);
    for (const feature of Object.keys(override.features ?? {})) {
      checkThresholds(
        featureSettings(config, model, feature).thresholds,
        `${path}/models/${model}/features/${feature}/thresholds`,
      );
    }
  }
  return config;
}

function parseOverride(raw: Record<string, unknown>, path: string): SettingsOverride {
  known(raw, ['thresholds', 'bins', 'binning'], path);
  const out: SettingsOverride = {};
  if (raw.bins !== undefined) {
    const bins = raw.bins;
    if (typeof bins !== 'number' || !Number.isInteger(bins) || bins < 2 || bins > 1000) {
      invalid(`${path}/bins`, 'bins must be an integer from 2 to 1000.');
    }
    out.bins = bins;
  }
  if (raw.binning !== undefined) {
    if (raw.binning !== 'quantile' && raw.binning !== 'evidently') {
      invalid(`${path}/binning`, 'binning must be "quantile" or "evidently".');
    }
    out.binning = raw.binning;
  }
  if (raw.thresholds !== undefined) {
    const t = mapping(raw.thresholds, `${path}/thresholds`);
    known(t, Object.keys(DRIFT_THRESHOLD_DEFAULTS), `${path}/thresholds`);
    const thresholds: Partial<DriftThresholds> = {};
    for (const [key, value] of Object.entries(t)) {
      if (typeof value !== 'number' || !Number.isFinite(value) || value < 0) {
        invalid(`${path}/thresholds/${key}`, `${key} must be a non-negative number.`);
      }
      thresholds[key as keyof DriftThresholds] = value;
    }
    out.thresholds = thresholds;
  }
  return out;
}

function checkThresholds(t: DriftThresholds, path: string): void {
  if (t.alpha <= 0 || t.alpha >= 1) invalid(`${path}/alpha`, 'alpha must lie strictly between 0 and 1.');
  if (t.psiWarn > t.psiDrift) invalid(`${path}/psiWarn`, 'psiWarn must not exceed psiDrift.');
  if (t.ksWarn > t.ksDrift) invalid(`${path}/ksWarn`, 'ksWarn must not exceed ksDrift.');
  if (t.ksDrift > 1) invalid(`${path}/ksDrift`, 'ksDrift is a KS statistic and must be at most 1.');
}

function integer(
  raw: Record<string, unknown>,
  key: keyof DriftConfig,
  path: string,
  min: number,
  max = Number.MAX_SAFE_INTEGER,
): number {
  const value = raw[key] ?? DRIFT_CONFIG_DEFAULTS[key];
  if (typeof value !== 'number' || !Number.isInteger(value) || value < min || value > max) {
    invalid(`${path}/${key}`, `${key} must be an integer from ${min} to ${max}.`);
  }
  return value;
}

function mapping(value: unknown, path: string): Record<string, unknown> {
  if (typeof value !== 'object' || value === null || Array.isArray(value))
    invalid(path, `${path} must be a mapping.`);
  return value as Record<string, unknown>;
}

function known(raw: Record<string, unknown>, keys: readonly string[], path: string): void {
  for (const key of Object.keys(raw)) {
    if (!keys.includes(key))
      invalid(`${path}/${key}`, `Unknown drift setting "${key}"; expected one of ${keys.join(', ')}.`);
  }
}

function invalid(path: string, message: string): never {
  throw new FactorywatchError('CONFIG_INVALID', message, path);
}
