/** The shape of one alert definition: the single source for Prometheus and Grafana rules. */

/** How urgently on-call must act: `critical` pages, `warning` goes to a ticket queue. */
export type Severity = 'critical' | 'warning';

/** The rule groups, one per part of the design; each becomes a Prometheus and a Grafana rule group. */
export type AlertGroup = 'drift' | 'gpu' | 'pipelines' | 'collector' | 'governance';

/** One alert, written once and rendered to both Prometheus and Grafana rule formats. */
export interface AlertDefinition {
  /** The alert name (`alertname` label), e.g. FactorywatchGpuIdleHigh. */
  readonly name: string;
  readonly group: AlertGroup;
  /** PromQL that returns one series per firing instance; its labels identify the instance. */
  readonly expr: string;
  /** How long `expr` must hold before the alert fires (Prometheus duration). */
  readonly for: string;
  readonly severity: Severity;
  /** One line for the notification title; may use `{{ $labels.x }}` and `{{ $value }}`. */
  readonly summary: string;
  /** What is wrong and why it matters, for the notification body. */
  readonly description: string;
}
