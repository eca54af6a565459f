/** Walks built dashboards and pulls out every panel and every query, for the validation suites. */
import type * as dashboard from '@grafana/grafana-foundation-sdk/dashboard';

/** A non-row panel with where it lives. */
export interface FoundPanel {
  readonly dashboardUid: string;
  readonly panel: dashboard.Panel;
}

/** Every panel of every dashboard, rows flattened, row panels themselves left out. */
export function allPanels(dashboards: readonly dashboard.Dashboard[]): FoundPanel[] {
  const found: FoundPanel[] = [];
  for (const d of dashboards) {
    const visit = (panel: dashboard.Panel | dashboard.RowPanel) => {
      if (panel.type === 'row') (panel as dashboard.RowPanel).panels?.forEach(visit);
      else found.push({ dashboardUid: d.uid ?? '', panel: panel as dashboard.Panel });
    };
    d.panels?.forEach(visit);
  }
  return found;
}

/** Every PromQL expression of the dashboards' panels and query variables, with where it came from. */
export function allPromql(dashboards: readonly dashboard.Dashboard[]): { where: string; expr: string }[] {
  const found: { where: string; expr: string }[] = [];
  for (const { dashboardUid, panel } of allPanels(dashboards)) {
    for (const target of (panel.targets ?? []) as { expr?: string; datasource?: { type?: string } }[]) {
      if (target.datasource?.type === 'prometheus' && target.expr !== undefined) {
        found.push({ where: `${dashboardUid} / ${panel.title}`, expr: target.expr });
      }
    }
  }
  for (const d of dashboards) {
    for (const variable of d.templating?.list ?? []) {
      const match =
        typeof variable.query === 'string' ? /^label_values\((.+), *\w+\)$/.exec(variable.query) : null;
      if (match?.[1] !== undefined) found.push({ where: `${d.uid} / $${variable.name}`, expr: match[1] });
    }
  }
  return found;
}

/** Every `factorywatch_*` metric name a PromQL expression mentions (histograms: their base name). */
export function collectorMetrics(expr: string): string[] {
  const names = expr.match(/\bfactorywatch_[a-z0-9_]+/g) ?? [];
  return [...new Set(names.map((name) => name.replace(/_(bucket|sum|count)$/, '')))];
}
