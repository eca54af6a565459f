/** The `gpu` section of the configuration file, with its defaults and validation. */

// eslint-disable-next-line @typescript-eslint/no-empty-object-type
export interface GpuConfig {}

export const GPU_CONFIG_DEFAULTS: GpuConfig = {};

/**
 * Validates the merged `gpu` section. Throws FactorywatchError('CONFIG_INVALID', …, path)
 * naming the offending key, e.g. `/gpu/threshold`.
 */
export function parseGpuConfig(raw: Record<string, unknown>): GpuConfig {
  return { ...GPU_CONFIG_DEFAULTS, ...raw };
}
