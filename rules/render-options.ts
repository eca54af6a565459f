/** Options shared by the Prometheus and Grafana renderings of the alert catalogue. */
import { DEFAULT_RUNBOOK_BASE_URL } from './runbooks.js';

/** How to render the catalogue; every field has a production default. */
export interface RuleRenderOptions {
  /** Base URL of the runbook pages (`runbook_url` = base + /<AlertName>.md). */
  readonly runbookBaseUrl: string;
  /** Replaces every non-zero `for:`; end-to-end tests use seconds instead of minutes. */
  readonly forOverride?: string;
  /** Evaluation interval of every rule group. */
  readonly evaluationInterval: string;
}

/** The production defaults. */
export const DEFAULT_RULE_RENDER_OPTIONS: RuleRenderOptions = {
  runbookBaseUrl: DEFAULT_RUNBOOK_BASE_URL,
  evaluationInterval: '1m',
};

/** The `for:` an alert gets under `options`: zero stays zero (fire at once), others may be shortened. */
export function effectiveFor(alertFor: string, options: RuleRenderOptions): string {
  if (options.forOverride === undefined || /^0[smh]?$/.test(alertFor)) return alertFor;
  return options.forOverride;
}
