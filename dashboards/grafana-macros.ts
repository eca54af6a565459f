/**
 * Grafana expands variables and range macros before a query reaches the datasource. To check a
 * dashboard query with promtool or run it against a real Prometheus or store, expand them the
 * same way with concrete values.
 */

/** Concrete values for Grafana's macros; variables default to "match everything". */
export interface MacroValues {
  readonly rateInterval: string;
  readonly interval: string;
  readonly range: string;
  /** Epoch ms of the dashboard time range, for SQL (`${__from}`, `${__to}`). */
  readonly fromMs: number;
  readonly toMs: number;
}

/** Values that make every query valid and cover the last hour. */
export function defaultMacroValues(nowMs: number = Date.now()): MacroValues {
  return { rateInterval: '2m', interval: '1m', range: '1h', fromMs: nowMs - 3_600_000, toMs: nowMs };
}

/** Expands Grafana macros and dashboard variables in a PromQL expression. */
export function expandPromql(expr: string, values: MacroValues): string {
  return (
    expr
      .replaceAll('$__rate_interval', values.rateInterval)
      .replaceAll('$__interval', values.interval)
      .replaceAll('$__range', values.range)
      // Every dashboard variable is a multi-value label filter used as =~"$var": ".*" is "All".
      .replace(/\$\{?[a-z_]+\}?/g, '.*')
  );
}

/** Expands Grafana's global time variables in SQL (the plugin receives them already expanded). */
export function expandSql(sql: string, values: MacroValues): string {
  return sql.replaceAll('${__from}', String(values.fromMs)).replaceAll('${__to}', String(values.toMs));
}
