/** The governance metrics of docs/metrics.md, registered once per registry. */
import { Counter, Gauge, type Registry } from 'prom-client';

/** The governance metric handles. */
export interface GovernanceMetrics {
  readonly authzDecisions: Counter<'role' | 'decision'>;
  readonly auditEvents: Counter;
  readonly auditChainOk: Gauge;
  readonly auditLastCheckpoint: Gauge;
  readonly policyChanges: Counter;
}

const cache = new WeakMap<Registry, GovernanceMetrics>();

/** The governance metrics on `registry`, created on first use (so the guard and the routes share them). */
export function governanceMetrics(registry: Registry): GovernanceMetrics {
  let metrics = cache.get(registry);
  if (metrics) return metrics;
  const registers = [registry];
  metrics = {
    authzDecisions: new Counter({
      name: 'factorywatch_authz_decisions_total',
      help: 'Authorisation decisions by role and decision (allow, deny).',
      labelNames: ['role', 'decision'] as const,
      registers,
    }),
    auditEvents: new Counter({
      name: 'factorywatch_audit_events_total',
      help: 'Audit events appended.',
      registers,
    }),
    auditChainOk: new Gauge({
      name: 'factorywatch_audit_chain_ok',
      help: '1 when the last verification of the audit trail passed, 0 when it found damage.',
      registers,
    }),
    auditLastCheckpoint: new Gauge({
      name: 'factorywatch_audit_last_checkpoint_timestamp_seconds',
      help: 'Time of the newest signed audit checkpoint.',
      registers,
    }),
    policyChanges: new Counter({
      name: 'factorywatch_policy_changes_total',
      help: 'Accepted policy swaps.',
      registers,
    }),
  };
  cache.set(registry, metrics);
  return metrics;
}
