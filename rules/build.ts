/** `rules build`: writes the Prometheus rule file and the Grafana alert rules of the catalogue. */
import { mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { ALERTS } from './catalogue.js';
import { DEFAULT_PROMETHEUS_UID, grafanaRules } from './grafana-rules.js';
import { renderPrometheusRuleFile } from './prometheus-rules.js';
import { DEFAULT_RULE_RENDER_OPTIONS, type RuleRenderOptions } from './render-options.js';

/** The file names `rules build` writes into its output directory. */
export const RULE_FILES = {
  prometheus: 'factorywatch-alerts.rules.yml',
  grafana: 'grafana-alert-rules.json',
} as const;

/** The folder uid written into the Grafana rules by `rules build` (the publisher sets its own). */
export const DEFAULT_GRAFANA_FOLDER_UID = 'factorywatch';

/** Writes both renderings into `outDir` and returns the paths written. */
export async function buildRules(
  outDir: string,
  options: RuleRenderOptions = DEFAULT_RULE_RENDER_OPTIONS,
  prometheusUid: string = DEFAULT_PROMETHEUS_UID,
): Promise<string[]> {
  await mkdir(outDir, { recursive: true });
  const prometheusPath = join(outDir, RULE_FILES.prometheus);
  const grafanaPath = join(outDir, RULE_FILES.grafana);
  await writeFile(prometheusPath, renderPrometheusRuleFile(ALERTS, options));
  const rules = grafanaRules(
    ALERTS,
    { folderUid: DEFAULT_GRAFANA_FOLDER_UID, prometheusUid, orgId: 1 },
    options,
  );
  await writeFile(grafanaPath, JSON.stringify(rules, null, 2) + '\n');
  return [prometheusPath, grafanaPath];
}
