/** The `drift` section of the configuration file, with its defaults and validation. */

// eslint-disable-next-line @typescript-eslint/no-empty-object-type
export interface DriftConfig {}

export const DRIFT_CONFIG_DEFAULTS: DriftConfig = {};

/**
 * Validates the merged `drift` section. Throws FactorywatchError('CONFIG_INVALID', …, path)
 * naming the offending key, e.g. `/drift/threshold`.
 */
export function parseDriftConfig(raw: Record<string, unknown>): DriftConfig {
  return { ...DRIFT_CONFIG_DEFAULTS, ...raw };
}
