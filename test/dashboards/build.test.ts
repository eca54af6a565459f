/** `dashboards build`: six or more dashboards, 30+ panels, each panel titled, unit-ed and described, stable uids. */
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import type * as dashboard from '@grafana/grafana-foundation-sdk/dashboard';

/** A target as the JSON holds it. */
type Target = { refId?: string; datasource?: { type?: string; uid?: string } };
import { beforeAll, describe, expect, it } from 'vitest';
import { buildDashboards } from '../../dashboards/catalogue.js';
import { runDashboardsCli } from '../../dashboards/cli.js';
import { CLICKHOUSE_PLUGIN_ID } from '../../dashboards/datasources.js';
import { SQL_QUERIES } from '../../dashboards/sql/queries.js';
import { scratchDir } from '../helpers/tmp.js';
import { allPanels } from './queries.js';

const EXPECTED_UIDS = [
  'fw-collector-health',
  'fw-governance',
  'fw-gpu-fleet',
  'fw-gpu-idle',
  'fw-model-drift',
  'fw-pipelines',
];

let outDir: string;
let written: dashboard.Dashboard[];

beforeAll(async () => {
  outDir = scratchDir('fw-dashboards-');
  const out = { stdout: '', stderr: '' };
  const code = await runDashboardsCli(['build', '--out', outDir], {
    stdout: { write: (t: string) => (out.stdout += t) },
    stderr: { write: (t: string) => (out.stderr += t) },
  });
  expect(out.stderr).toBe('');
  expect(code).toBe(0);
  written = readdirSync(outDir)
    .sort()
    .map((name) => JSON.parse(readFileSync(join(outDir, name), 'utf8')) as dashboard.Dashboard);
});

describe('dashboards build', () => {
  it('writes one file per dashboard, named after its stable uid', () => {
    expect(readdirSync(outDir).sort()).toEqual(EXPECTED_UIDS.map((uid) => `${uid}.json`));
    expect(written.map((d) => d.uid)).toEqual(EXPECTED_UIDS);
  });

  it('builds the same JSON every time (uids, panel ids and refIds are deterministic)', () => {
    expect(JSON.stringify(buildDashboards())).toBe(JSON.stringify(buildDashboards()));
  });

  it('has at least 30 panels, each with a title, a unit and a description', () => {
    const panels = allPanels(written);
    expect(panels.length).toBeGreaterThanOrEqual(30);
    for (const { dashboardUid, panel } of panels) {
      const where = `${dashboardUid} / ${panel.title}`;
      expect(panel.title?.length, where).toBeGreaterThan(3);
      expect(panel.description?.length, where).toBeGreaterThan(20);
      expect(panel.fieldConfig?.defaults?.unit, where).toMatch(/^[a-zA-Z]+$/);
      expect(panel.targets?.length, where).toBeGreaterThan(0);
    }
  });

  it('gives every panel a unique id and every target a refId and the panel datasource', () => {
    for (const d of written) {
      const panels = allPanels([d]).map((p) => p.panel);
      const ids = panels.map((p) => p.id);
      expect(new Set(ids).size, d.uid).toBe(ids.length);
      for (const panel of panels) {
        const refIds = ((panel.targets ?? []) as Target[]).map((t) => t.refId);
        expect(new Set(refIds).size).toBe(refIds.length);
        for (const target of (panel.targets ?? []) as Target[])
          expect(target.datasource).toEqual(panel.datasource);
      }
    }
  });

  it('offers the GPU fleet filters SREs need: datasource, host, namespace, pod, model; MIG-aware legends', () => {
    const fleet = written.find((d) => d.uid === 'fw-gpu-fleet')!;
    expect(fleet.templating?.list?.map((v) => v.name)).toEqual([
      'datasource',
      'host',
      'namespace',
      'pod',
      'model',
    ]);
    const legends = allPanels([fleet]).flatMap(({ panel }) =>
      (panel.targets ?? []).map((t) => (t as { legendFormat?: string }).legendFormat),
    );
    expect(legends.filter((l) => l?.includes('{{host}}') && l.includes('{{gpu}}')).length).toBeGreaterThan(5);
    expect(legends.some((l) => l?.includes('{{GPU_I_PROFILE}}'))).toBe(true);
  });

  it('points SQL panels at the ClickHouse plugin with SQL from dashboards/sql/queries.ts', () => {
    const sqlTargets = allPanels(written).flatMap(({ panel }) =>
      ((panel.targets ?? []) as Target[]).filter((t) => t.datasource?.type === CLICKHOUSE_PLUGIN_ID),
    );
    expect(sqlTargets.length).toBeGreaterThanOrEqual(5);
    const known = new Set(SQL_QUERIES.map((q) => q.sql));
    for (const target of sqlTargets as unknown as { rawSql: string; editorType: string; format: number }[]) {
      expect(target.editorType).toBe('sql');
      expect([0, 1]).toContain(target.format);
      expect(known.has(target.rawSql)).toBe(true);
    }
    // The audit trail table of the governance dashboard reads the store through the plugin.
    const governance = allPanels(written.filter((d) => d.uid === 'fw-governance'));
    expect(
      governance.some(
        ({ panel }) => panel.title === 'Audit events' && panel.datasource?.type === CLICKHOUSE_PLUGIN_ID,
      ),
    ).toBe(true);
  });
});
