/** The `governance` section of the configuration file, with its defaults and validation. */
import { FactorywatchError } from '../errors.js';

export interface GovernanceConfig {
  /** Folder holding model.conf and the default policy.csv; '' = the policies/ folder shipped with factorywatch. */
  policiesDir: string;
  /** The audit policy (levels, redaction, retention); '' = `<policiesDir>/audit.yaml`. */
  auditPolicyPath: string;
  /** How often the audit trail's Merkle root is signed as a checkpoint (also on shutdown). */
  checkpointIntervalMs: number;
  /** How often retention is applied (events older than the audit policy's retention are cut). */
  retentionIntervalMs: number;
  /** How often the collector re-verifies the whole audit chain (sets factorywatch_audit_chain_ok); 0 = never. */
  verifyIntervalMs: number;
  /** This collector's audit chain id; '' = read or create `<dataDir>/audit-chain-id`. */
  chainId: string;
}

export const GOVERNANCE_CONFIG_DEFAULTS: GovernanceConfig = {
  policiesDir: '',
  auditPolicyPath: '',
  checkpointIntervalMs: 60_000,
  retentionIntervalMs: 3_600_000,
  verifyIntervalMs: 3_600_000,
  chainId: '',
};

/**
 * Validates the merged `governance` section. Throws FactorywatchError('CONFIG_INVALID', …, path)
 * naming the offending key, e.g. `/governance/checkpointIntervalMs`.
 */
export function parseGovernanceConfig(raw: Record<string, unknown>): GovernanceConfig {
  const merged: Record<string, unknown> = { ...GOVERNANCE_CONFIG_DEFAULTS, ...raw };
  for (const key of Object.keys(merged)) {
    if (!(key in GOVERNANCE_CONFIG_DEFAULTS)) {
      throw new FactorywatchError('CONFIG_INVALID', `Unknown governance key "${key}".`, `/governance/${key}`);
    }
  }
  const str = (key: keyof GovernanceConfig): string => {
    const v = merged[key];
    if (typeof v !== 'string')
      throw new FactorywatchError(
        'CONFIG_INVALID',
        `governance.${key} must be a string.`,
        `/governance/${key}`,
      );
    return v;
  };
  const ms = (key: keyof GovernanceConfig, min: number): number => {
    const v = merged[key];
    if (typeof v !== 'number' || !Number.isInteger(v) || (v !== 0 && v < min) || v < 0) {
      throw new FactorywatchError(
        'CONFIG_INVALID',
        `governance.${key} must be 0 or an integer number of milliseconds ≥ ${min}.`,
        `/governance/${key}`,
      );
    }
    return v;
  };
  const chainId = str('chainId');
  if (chainId !== '' && !/^[A-Za-z0-9._-]{1,64}$/.test(chainId)) {
    throw new FactorywatchError(
      'CONFIG_INVALID',
      'governance.chainId must be 1-64 of [A-Za-z0-9._-].',
      '/governance/chainId',
    );
  }
  return {
    policiesDir: str('policiesDir'),
    auditPolicyPath: str('auditPolicyPath'),
    checkpointIntervalMs: ms('checkpointIntervalMs', 1000),
    retentionIntervalMs: ms('retentionIntervalMs', 1000),
    verifyIntervalMs: ms('verifyIntervalMs', 1000),
    chainId,
  };
}
