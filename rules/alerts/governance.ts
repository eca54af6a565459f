/** Governance alerts: the audit trail must stay intact and checkpointed. */
import type { AlertDefinition } from '../types.js';

export const GOVERNANCE_ALERTS: readonly AlertDefinition[] = [
  {
    name: 'FactorywatchAuditChainBroken',
    group: 'governance',
    expr: 'factorywatch_audit_chain_ok == 0',
    for: '0m',
    severity: 'critical',
    summary: 'The audit chain of {{ $labels.instance }} failed verification',
    description:
      'The last verification of the hash-chained audit trail of collector {{ $labels.instance }} failed: an entry was ' +
      'modified, inserted, deleted, reordered or truncated. Treat it as a security incident.',
  },
  {
    name: 'FactorywatchAuditCheckpointStale',
    group: 'governance',
    expr: 'time() - factorywatch_audit_last_checkpoint_timestamp_seconds > 3600',
    for: '15m',
    severity: 'warning',
    summary: 'No signed audit checkpoint from {{ $labels.instance }} for {{ $value | humanizeDuration }}',
    description:
      'Collector {{ $labels.instance }} has not signed an audit checkpoint for more than an hour; entries since the last ' +
      'checkpoint have no signed Merkle root, so tampering with them is harder to prove.',
  },
];
