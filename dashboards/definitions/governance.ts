/** Governance and audit: authorisation decisions, denials, policy changes, audit chain health and the audit trail. */
import { RowBuilder, type DashboardBuilder } from '@grafana/grafana-foundation-sdk/dashboard';
import { clickhouseVariable, prometheusVariable } from '../datasources.js';
import { factorywatchDashboard } from '../layout.js';
import { prom, promInstant, sql, stat, table, timeseries, valueMappings } from '../panels.js';
import { AUDIT_EVENTS } from '../sql/queries.js';

/** The governance and audit dashboard. */
export function governanceDashboard(): DashboardBuilder {
  return factorywatchDashboard(
    'fw-governance',
    'factorywatch / Governance & audit',
    'RBAC decisions by role, denied requests, policy changes, audit chain status and checkpoint age, and the audit trail itself.',
    ['governance', 'audit'],
  )
    .withVariable(prometheusVariable())
    .withVariable(clickhouseVariable())
    .withRow(new RowBuilder('Audit trail health'))
    .withPanel(
      stat({
        title: 'Audit chain',
        description:
          'Result of the last audit chain verification on every collector (min over collectors): OK or BROKEN.',
        unit: 'none',
        mappings: valueMappings([
          [1, 'OK', 'green'],
          [0, 'BROKEN', 'red'],
        ]),
        queries: [promInstant('min(factorywatch_audit_chain_ok)')],
      }),
    )
    .withPanel(
      stat({
        title: 'Checkpoint age',
        description:
          'Time since the oldest newest signed checkpoint across collectors; FactorywatchAuditCheckpointStale fires above 1 h.',
        unit: 's',
        thresholds: [
          [1800, 'yellow'],
          [3600, 'red'],
        ],
        queries: [promInstant('time() - min(factorywatch_audit_last_checkpoint_timestamp_seconds)')],
      }),
    )
    .withPanel(
      stat({
        title: 'Denied requests',
        description: 'Requests the RBAC policy denied over the dashboard range.',
        unit: 'short',
        thresholds: [[1, 'yellow']],
        queries: [
          promInstant(
            'sum(increase(factorywatch_authz_decisions_total{decision="deny"}[$__range])) or vector(0)',
          ),
        ],
      }),
    )
    .withPanel(
      stat({
        title: 'Policy changes',
        description:
          'Accepted policy swaps over the dashboard range; each one is in the audit trail with the policy hash.',
        unit: 'short',
        queries: [promInstant('sum(increase(factorywatch_policy_changes_total[$__range])) or vector(0)')],
      }),
    )
    .withRow(new RowBuilder('Access decisions'))
    .withPanel(
      timeseries({
        title: 'Decisions by role',
        description: 'Allow and deny decisions per second by the role of the caller.',
        unit: 'reqps',
        stacked: true,
        queries: [
          prom(
            'sum by (role, decision) (rate(factorywatch_authz_decisions_total[$__rate_interval]))',
            '{{role}} {{decision}}',
          ),
        ],
      }),
    )
    .withPanel(
      timeseries({
        title: 'Denied requests by role',
        description: 'Denied decisions per second by role: a spike is a misconfigured client or a probe.',
        unit: 'reqps',
        queries: [
          prom(
            'sum by (role) (rate(factorywatch_authz_decisions_total{decision="deny"}[$__rate_interval]))',
            '{{role}}',
          ),
        ],
      }),
    )
    .withPanel(
      timeseries({
        title: 'Audit events appended',
        description: 'Audit entries appended per second on each collector.',
        unit: 'cps',
        queries: [
          prom('sum by (instance) (rate(factorywatch_audit_events_total[$__rate_interval]))', '{{instance}}'),
        ],
      }),
    )
    .withPanel(
      timeseries({
        title: 'Policy changes over time',
        description: 'Accepted policy swaps per collector over time.',
        unit: 'short',
        queries: [
          prom(
            'sum by (instance) (increase(factorywatch_policy_changes_total[$__rate_interval]))',
            '{{instance}}',
          ),
        ],
      }),
    )
    .withRow(new RowBuilder('Audit trail'))
    .withPanel(
      table({
        title: 'Audit events',
        description:
          'The newest 500 audit events in the range, read from the store through the ClickHouse datasource.',
        unit: 'none',
        height: 12,
        queries: [sql(AUDIT_EVENTS)],
      }),
    );
}
