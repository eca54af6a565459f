/** The `governance` section of the configuration file, with its defaults and validation. */

// eslint-disable-next-line @typescript-eslint/no-empty-object-type
export interface GovernanceConfig {}

export const GOVERNANCE_CONFIG_DEFAULTS: GovernanceConfig = {};

/**
 * Validates the merged `governance` section. Throws FactorywatchError('CONFIG_INVALID', …, path)
 * naming the offending key, e.g. `/governance/threshold`.
 */
export function parseGovernanceConfig(raw: Record<string, unknown>): GovernanceConfig {
  return { ...GOVERNANCE_CONFIG_DEFAULTS, ...raw };
}
