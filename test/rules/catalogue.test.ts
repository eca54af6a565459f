/** The alert catalogue: the alerts on-call relies on exist, carry their labels and runbooks, and render to Grafana. */
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { ALERTS } from '../../rules/catalogue.js';
import { grafanaRules, grafanaRuleUid } from '../../rules/grafana-rules.js';
import { prometheusRuleFile } from '../../rules/prometheus-rules.js';
import { DEFAULT_RULE_RENDER_OPTIONS } from '../../rules/render-options.js';
import { runbookPath } from '../../rules/runbooks.js';

const ROOT = join(import.meta.dirname, '..', '..');

const REQUIRED = [
  'FactorywatchDriftDetected',
  'FactorywatchDriftWarning',
  'FactorywatchGpuIdleHigh',
  'FactorywatchGpuDataStarved',
  'FactorywatchGpuTemperatureHigh',
  'FactorywatchGpuXidError',
  'FactorywatchPipelineStalled',
  'FactorywatchPipelineLagHigh',
  'FactorywatchPipelineQueueGrowing',
  'FactorywatchIngestRejectionsHigh',
  'FactorywatchWalBacklogHigh',
  'FactorywatchAuditChainBroken',
  'FactorywatchAuditCheckpointStale',
  'FactorywatchCollectorDown',
];

describe('alert catalogue', () => {
  it('has every alert the on-call runbook promises, each name once', () => {
    const names = ALERTS.map((alert) => alert.name);
    expect(new Set(names).size).toBe(names.length);
    for (const name of REQUIRED) expect(names).toContain(name);
  });

  it('renders every rule with severity, summary, description, runbook_url and a sensible for:', () => {
    const file = prometheusRuleFile(ALERTS, DEFAULT_RULE_RENDER_OPTIONS);
    const rules = file.groups.flatMap((group) => group.rules);
    expect(rules).toHaveLength(ALERTS.length);
    for (const rule of rules) {
      expect(['critical', 'warning']).toContain(rule.labels.severity);
      expect(rule.annotations.summary.length).toBeGreaterThan(10);
      expect(rule.annotations.description.length).toBeGreaterThan(rule.annotations.summary.length);
      expect(rule.annotations.runbook_url).toMatch(new RegExp(`^https://.+/${rule.alert}\\.md$`));
      const minutes = Number(/^(\d+)m$/.exec(rule.for)?.[1]);
      // Immediate alerts are for facts that cannot be transient (a broken audit chain, an XID).
      expect(
        minutes === 0 ? ['FactorywatchAuditChainBroken', 'FactorywatchGpuXidError'] : [rule.alert],
      ).toContain(rule.alert);
      expect(minutes).toBeLessThanOrEqual(60);
    }
  });

  it('has a runbook page in the repository for every alert, with meaning, checks and fix', () => {
    for (const alert of ALERTS) {
      const path = join(ROOT, runbookPath(alert.name));
      expect(existsSync(path), path).toBe(true);
      const page = readFileSync(path, 'utf8');
      expect(page).toContain(`# ${alert.name} (${alert.severity})`);
      for (const section of ['**Meaning.**', '**Check.**', '**Fix.**'])
        expect(page, `${alert.name} ${section}`).toContain(section);
    }
  });

  it('shortens for: for test stacks but keeps immediate alerts immediate', () => {
    const file = prometheusRuleFile(ALERTS, { ...DEFAULT_RULE_RENDER_OPTIONS, forOverride: '5s' });
    for (const rule of file.groups.flatMap((group) => group.rules)) {
      expect(['0m', '5s']).toContain(rule.for);
    }
  });

  it('renders Grafana-managed rules with the provisioning API required fields and stable uids', () => {
    const rules = grafanaRules(
      ALERTS,
      { folderUid: 'fw', prometheusUid: 'prom', orgId: 1 },
      DEFAULT_RULE_RENDER_OPTIONS,
    );
    const uids = rules.map((rule) => rule.uid);
    expect(new Set(uids).size).toBe(rules.length);
    for (const rule of rules) {
      // Required by ProvisionedAlertRule: condition, data, execErrState, folderUID, for, noDataState, orgID, ruleGroup, title.
      expect(rule).toMatchObject({
        condition: 'B',
        folderUID: 'fw',
        orgID: 1,
        execErrState: 'Error',
        noDataState: 'OK',
      });
      expect(rule.uid!.length).toBeLessThanOrEqual(40);
      expect(rule.ruleGroup).toMatch(/^factorywatch-/);
      expect(rule.data.map((query) => query.refId)).toEqual(['A', 'B']);
      expect(rule.data[0]?.datasourceUid).toBe('prom');
      expect(rule.data[1]?.datasourceUid).toBe('__expr__');
      expect(rule.annotations?.summary).not.toContain('$value ');
      expect(rule.labels?.severity).toMatch(/^(critical|warning)$/);
    }
    expect(grafanaRuleUid('FactorywatchGpuIdleHigh')).toBe('fw-gpu-idle-high');
  });
});
