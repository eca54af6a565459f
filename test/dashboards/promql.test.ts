/**
 * Every PromQL expression of every dashboard panel, variable and alert rule parses: they are
 * written into one rule file (Grafana macros expanded the way Grafana expands them) and checked
 * with the real promtool.
 */
import { execFileSync } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { stringify } from 'yaml';
import { buildDashboards } from '../../dashboards/catalogue.js';
import { defaultMacroValues, expandPromql } from '../../dashboards/grafana-macros.js';
import { ALERTS } from '../../rules/catalogue.js';
import { requireTool } from '../helpers/prometheus.js';
import { scratchDir } from '../helpers/tmp.js';
import { allPromql } from './queries.js';

function promtoolCheck(exprs: string[]): { code: number; output: string } {
  const dir = scratchDir('fw-promql-');
  const file = join(dir, 'exprs.rules.yml');
  // Recording rules are the lightest wrapper promtool parses an expression in.
  const rules = exprs.map((expr, i) => ({ record: `factorywatch_check:expr_${i}`, expr }));
  writeFileSync(file, stringify({ groups: [{ name: 'check', rules }] }));
  try {
    return {
      code: 0,
      output: execFileSync(requireTool('promtool'), ['check', 'rules', file], {
        encoding: 'utf8',
        stdio: ['ignore', 'pipe', 'pipe'],
      }),
    };
  } catch (error) {
    const failed = error as { status: number; stdout: string; stderr: string };
    return { code: failed.status, output: failed.stdout + failed.stderr };
  }
}

describe('PromQL of dashboards and rules', () => {
  const values = defaultMacroValues();
  const dashboardExprs = allPromql(buildDashboards()).map(({ where, expr }) => ({
    where,
    expr: expandPromql(expr, values),
  }));

  it('finds the expressions of every Prometheus panel and variable', () => {
    expect(dashboardExprs.length).toBeGreaterThan(60);
    for (const { where, expr } of dashboardExprs) expect(expr, where).not.toMatch(/\$/);
  });

  it('parse with promtool, every one of them', () => {
    const exprs = [...dashboardExprs.map((e) => e.expr), ...ALERTS.map((alert) => alert.expr)];
    const result = promtoolCheck(exprs);
    expect(result.code, result.output).toBe(0);
    expect(result.output).toContain(`SUCCESS: ${exprs.length} rules found`);
  });

  it('are checked for real: a broken expression fails the check', () => {
    const result = promtoolCheck(['sum(rate(factorywatch_ingest_records_total[5m])']);
    expect(result.code).not.toBe(0);
  });
});
