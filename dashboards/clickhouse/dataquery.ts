/**
 * A Dataquery builder for the grafana-clickhouse-datasource plugin, which the foundation SDK does
 * not ship. It writes the plugin's SQL-editor query model: `editorType: "sql"`, `rawSql`, the
 * display `queryType` (v4 front end) and the numeric `format` the plugin's back end reads
 * (sqlutil.FormatQueryOption: 0 time series, 1 table, 2 logs).
 */
import type * as cog from '@grafana/grafana-foundation-sdk/cog';
import type * as common from '@grafana/grafana-foundation-sdk/common';
import { CLICKHOUSE_DS } from '../datasources.js';

/** How the plugin shapes the result. */
export type ClickHouseResultShape = 'table' | 'timeseries' | 'logs';

const FORMAT: Record<ClickHouseResultShape, number> = { timeseries: 0, table: 1, logs: 2 };

/** The query model the ClickHouse plugin stores in a panel target. */
export interface ClickHouseQuery {
  refId?: string;
  hide?: boolean;
  datasource?: common.DataSourceRef;
  editorType: 'sql';
  queryType: ClickHouseResultShape;
  format: number;
  rawSql: string;
  /** Marks the object as a cog Dataquery variant (never serialised: it is a method). */
  _implementsDataqueryVariant(): void;
}

/** Builds one ClickHouse SQL target; pass the SQL from dashboards/sql/queries.ts. */
export class ClickHouseQueryBuilder implements cog.Builder<cog.Dataquery> {
  private readonly internal: ClickHouseQuery;

  constructor(rawSql: string, shape: ClickHouseResultShape = 'table') {
    this.internal = {
      editorType: 'sql',
      queryType: shape,
      format: FORMAT[shape],
      rawSql,
      datasource: CLICKHOUSE_DS,
      _implementsDataqueryVariant() {},
    };
  }

  /** Builds the object. */
  build(): ClickHouseQuery {
    return this.internal;
  }

  /** Sets the target's refId (the catalogue assigns A, B, ... when unset). */
  refId(refId: string): this {
    this.internal.refId = refId;
    return this;
  }

  /** Hides the target from the panel (it still runs for expressions). */
  hide(hide: boolean): this {
    this.internal.hide = hide;
    return this;
  }

  /** Points the target at another ClickHouse datasource than `$clickhouse`. */
  datasource(datasource: common.DataSourceRef): this {
    this.internal.datasource = datasource;
    return this;
  }
}
