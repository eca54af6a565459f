/** Every generated dashboard, finished into the JSON Grafana stores. */
import type * as dashboard from '@grafana/grafana-foundation-sdk/dashboard';
import type { DashboardBuilder } from '@grafana/grafana-foundation-sdk/dashboard';
import { collectorHealthDashboard } from './definitions/collector-health.js';
import { governanceDashboard } from './definitions/governance.js';
import { gpuFleetDashboard } from './definitions/gpu-fleet.js';
import { gpuIdleDashboard } from './definitions/gpu-idle.js';
import { modelDriftDashboard } from './definitions/model-drift.js';
import { pipelinesDashboard } from './definitions/pipelines.js';

/** The dashboard definitions, in the order the folder lists them. */
export const DASHBOARD_DEFINITIONS: readonly (() => DashboardBuilder)[] = [
  gpuFleetDashboard,
  gpuIdleDashboard,
  modelDriftDashboard,
  pipelinesDashboard,
  governanceDashboard,
  collectorHealthDashboard,
];

/** A panel target as it appears in the JSON. */
type Target = { refId?: string; datasource?: unknown };

/**
 * The SDK leaves panel ids and target refIds unset and targets without a datasource; Grafana
 * fills them in on first save, which would make every publish look like a change. Set them
 * deterministically instead.
 */
function finish(built: dashboard.Dashboard): dashboard.Dashboard {
  let nextId = 1;
  const visit = (panel: dashboard.Panel | dashboard.RowPanel) => {
    panel.id = nextId++;
    if ('panels' in panel) panel.panels?.forEach(visit);
    if ('targets' in panel) {
      (panel.targets as Target[] | undefined)?.forEach((target, index) => {
        target.refId ??= String.fromCharCode(65 + index);
        target.datasource ??= panel.datasource;
      });
    }
  };
  built.panels?.forEach(visit);
  // A plain JSON round trip drops the SDK's marker methods and undefined fields.
  return JSON.parse(JSON.stringify(built)) as dashboard.Dashboard;
}

/** Builds every dashboard; the result is deterministic (same input, same JSON). */
export function buildDashboards(): dashboard.Dashboard[] {
  return DASHBOARD_DEFINITIONS.map((define) => finish(define().build()));
}
