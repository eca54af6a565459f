/**
 * The datasources every dashboard queries, as template variables so one JSON works in any
 * Grafana: the provisioned uids (deploy/grafana/provisioning/datasources) are the defaults.
 */
import type * as common from '@grafana/grafana-foundation-sdk/common';
import { DatasourceVariableBuilder } from '@grafana/grafana-foundation-sdk/dashboard';

/** The Grafana plugin id of the ClickHouse datasource (grafana-clickhouse-datasource, v4). */
export const CLICKHOUSE_PLUGIN_ID = 'grafana-clickhouse-datasource';

/** Uids the provisioning files give the two datasources. */
export const PROVISIONED_UIDS = {
  prometheus: 'factorywatch-prometheus',
  clickhouse: 'factorywatch-clickhouse',
} as const;

/** Panels and queries on Prometheus point at the `$datasource` variable. */
export const PROMETHEUS_DS: common.DataSourceRef = { type: 'prometheus', uid: '${datasource}' };

/** Panels and queries on ClickHouse point at the `$clickhouse` variable. */
export const CLICKHOUSE_DS: common.DataSourceRef = { type: CLICKHOUSE_PLUGIN_ID, uid: '${clickhouse}' };

/** The `$datasource` variable: any Prometheus, defaulting to the provisioned one. */
export function prometheusVariable(): DatasourceVariableBuilder {
  return new DatasourceVariableBuilder('datasource')
    .label('Prometheus')
    .type('prometheus')
    .current({ text: 'Prometheus', value: PROVISIONED_UIDS.prometheus });
}

/** The `$clickhouse` variable: any ClickHouse datasource, defaulting to the provisioned one. */
export function clickhouseVariable(): DatasourceVariableBuilder {
  return new DatasourceVariableBuilder('clickhouse')
    .label('ClickHouse')
    .type(CLICKHOUSE_PLUGIN_ID)
    .current({ text: 'ClickHouse', value: PROVISIONED_UIDS.clickhouse });
}
