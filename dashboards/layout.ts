/** What every factorywatch dashboard shares: time settings, tags, links, template variables. */
import {
  DashboardBuilder,
  DashboardLinkBuilder,
  DashboardLinkType,
  QueryVariableBuilder,
  VariableRefresh,
  VariableSort,
} from '@grafana/grafana-foundation-sdk/dashboard';
import { PROMETHEUS_DS } from './datasources.js';

/** The tag all generated dashboards carry; the publisher and the links use it. */
export const FACTORYWATCH_TAG = 'factorywatch';

/** A dashboard with the shared settings: read-only (it is generated), last 6 h, 30 s refresh. */
export function factorywatchDashboard(
  uid: string,
  title: string,
  description: string,
  tags: string[],
): DashboardBuilder {
  return new DashboardBuilder(title)
    .uid(uid)
    .description(description)
    .tags([FACTORYWATCH_TAG, ...tags])
    .readonly()
    .timezone('browser')
    .time({ from: 'now-6h', to: 'now' })
    .refresh('30s')
    .link(
      new DashboardLinkBuilder('factorywatch')
        .type(DashboardLinkType.Dashboards)
        .tags([FACTORYWATCH_TAG])
        .asDropdown(true)
        .includeVars(true)
        .keepTime(true),
    );
}

/**
 * A multi-value label filter fed by `label_values(metric, label)`. "All" is `.*`, which also
 * matches series without the label (an unallocated GPU has no pod label).
 */
export function labelVariable(
  name: string,
  label: string,
  metric: string,
  labelName: string = name,
): QueryVariableBuilder {
  const query = `label_values(${metric}, ${labelName})`;
  return new QueryVariableBuilder(name)
    .label(label)
    .datasource(PROMETHEUS_DS)
    .query(query)
    .definition(query)
    .multi(true)
    .includeAll(true)
    .allValue('.*')
    .current({ text: 'All', value: '$__all' })
    .refresh(VariableRefresh.OnTimeRangeChanged)
    .sort(VariableSort.AlphabeticalAsc);
}
