/**
 * Renders the alert catalogue as Grafana-managed alert rules (the provisioning API's
 * ProvisionedAlertRule), built with the foundation SDK's alerting builders.
 */
import type * as alerting from '@grafana/grafana-foundation-sdk/alerting';
import { QueryBuilder, RuleBuilder } from '@grafana/grafana-foundation-sdk/alerting';
import { TypeMathBuilder } from '@grafana/grafana-foundation-sdk/expr';
import { DataqueryBuilder } from '@grafana/grafana-foundation-sdk/prometheus';
import { prometheusRule, ruleGroupName } from './prometheus-rules.js';
import type { RuleRenderOptions } from './render-options.js';
import type { AlertDefinition } from './types.js';

/** Where the Grafana rules live and which Prometheus they query. */
export interface GrafanaRuleTarget {
  /** The folder the rules are stored in (created by the publisher). */
  readonly folderUid: string;
  /** The uid of the Prometheus datasource (deploy/grafana provisions `factorywatch-prometheus`). */
  readonly prometheusUid: string;
  readonly orgId: number;
}

/** The datasource uid deploy/grafana/provisioning/datasources provisions for Prometheus. */
export const DEFAULT_PROMETHEUS_UID = 'factorywatch-prometheus';

/** The stable Grafana uid of an alert (at most 40 characters, as Grafana requires). */
export function grafanaRuleUid(alertName: string): string {
  const kebab = alertName
    .replace(/^Factorywatch/, '')
    .replace(/([a-z0-9])([A-Z])/g, '$1-$2')
    .toLowerCase();
  return `fw-${kebab}`.slice(0, 40);
}

/**
 * Grafana templates see the query result as `$values.A`, not `$value` (which there is a
 * debug string of every query), so the shared annotations are rewritten.
 */
function grafanaTemplate(text: string): string {
  return text.replace(/\{\{\s*\$value\b/g, '{{ $values.A.Value');
}

/** Seconds of history the query asks for: enough for the longest range selector in the catalogue. */
const QUERY_WINDOW_SECONDS = 3600;

/** One Grafana alert rule: A = the PromQL (instant), B = "A returned this series" (the condition). */
export function grafanaRule(
  alert: AlertDefinition,
  target: GrafanaRuleTarget,
  options: RuleRenderOptions,
): alerting.Rule {
  const shared = prometheusRule(alert, options);
  const query = new QueryBuilder('A')
    .datasourceUid(target.prometheusUid)
    .relativeTimeRange({ from: QUERY_WINDOW_SECONDS, to: 0 })
    .model(
      new DataqueryBuilder()
        .refId('A')
        .datasource({ type: 'prometheus', uid: target.prometheusUid })
        .expr(alert.expr)
        .instant(),
    );
  // The PromQL already filters to firing series, and some of them are legitimately 0
  // (e.g. `factorywatch_audit_chain_ok == 0`), so "fires" means "A has this series":
  // abs($A) >= 0 is 1 for every returned value.
  const condition = new QueryBuilder('B')
    .datasourceUid('__expr__')
    .model(
      new TypeMathBuilder()
        .refId('B')
        .datasource({ type: '__expr__', uid: '__expr__' })
        .expression('abs($A) >= 0'),
    );
  const annotations = Object.fromEntries(
    Object.entries(shared.annotations).map(([key, value]) => [key, grafanaTemplate(value)]),
  );
  return (
    new RuleBuilder(alert.name)
      .uid(grafanaRuleUid(alert.name))
      .orgID(target.orgId)
      .folderUID(target.folderUid)
      .ruleGroup(ruleGroupName(alert.group))
      .withQuery(query)
      .withQuery(condition)
      .condition('B')
      .forDuration(shared.for)
      // No series means nothing is wrong: every expression returns only what fires.
      .noDataState('OK')
      .execErrState('Error')
      .labels(shared.labels)
      .annotations(annotations)
      .build()
  );
}

/** All Grafana alert rules of the catalogue. */
export function grafanaRules(
  alerts: readonly AlertDefinition[],
  target: GrafanaRuleTarget,
  options: RuleRenderOptions,
): alerting.Rule[] {
  return alerts.map((alert) => grafanaRule(alert, target, options));
}
