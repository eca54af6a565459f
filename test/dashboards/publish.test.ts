/** `dashboards publish` against a local server that enforces Grafana's documented HTTP API. */
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { runDashboardsCli } from '../../dashboards/cli.js';
import { ALERTS } from '../../rules/catalogue.js';
import { FakeGrafana } from './grafana-api-server.js';

function captureIo() {
  const out = { stdout: '', stderr: '' };
  return {
    out,
    io: {
      stdout: { write: (t: string) => (out.stdout += t) },
      stderr: { write: (t: string) => (out.stderr += t) },
    },
  };
}

let grafana: FakeGrafana;

beforeEach(async () => {
  grafana = new FakeGrafana('glsa_test_token');
  await grafana.start();
});

afterEach(async () => {
  await grafana.stop();
});

describe('dashboards publish', () => {
  it('creates the folder, every dashboard and every alert rule, each request valid per the API', async () => {
    const { io, out } = captureIo();
    const code = await runDashboardsCli(
      ['publish', '--grafana', grafana.url, '--token', 'glsa_test_token', '--folder', 'fw-prod'],
      io,
    );
    expect(out.stderr).toBe('');
    expect(code).toBe(0);
    expect(grafana.violations).toEqual([]);
    expect(grafana.folders.get('fw-prod')?.title).toBe('factorywatch');
    expect(grafana.dashboards.size).toBe(6);
    for (const dashboard of grafana.dashboards.values()) expect(dashboard.folderUid).toBe('fw-prod');
    expect(grafana.alertRules.size).toBe(ALERTS.length);
    for (const rule of grafana.alertRules.values()) expect(rule.folderUID).toBe('fw-prod');
    const dashboardPosts = grafana.requests.filter((r) => r.path === '/api/dashboards/db');
    for (const request of dashboardPosts)
      expect(request.body).toMatchObject({ folderUid: 'fw-prod', overwrite: true, dashboard: { id: null } });
    expect(out.stdout).toContain('folder fw-prod: created');
  });

  it('is idempotent: a second publish updates in place and creates nothing new', async () => {
    const first = captureIo();
    expect(
      await runDashboardsCli(['publish', '--grafana', grafana.url, '--token', 'glsa_test_token'], first.io),
    ).toBe(0);
    const second = captureIo();
    expect(
      await runDashboardsCli(['publish', '--grafana', grafana.url, '--token', 'glsa_test_token'], second.io),
    ).toBe(0);
    expect(grafana.violations).toEqual([]);
    expect(grafana.folders.size).toBe(1);
    expect(grafana.dashboards.size).toBe(6);
    expect(grafana.alertRules.size).toBe(ALERTS.length);
    expect(second.out.stdout).toContain('folder factorywatch: existed');
    expect(second.out.stdout).toMatch(/dashboard fw-gpu-fleet: version 2/);
    expect(second.out.stdout).not.toContain(': created');
    const puts = grafana.requests.filter(
      (r) => r.method === 'PUT' && r.path.startsWith('/api/v1/provisioning/alert-rules/'),
    );
    expect(puts).toHaveLength(ALERTS.length);
  });

  it('sends the bearer token and fails clearly when Grafana rejects it', async () => {
    const { io, out } = captureIo();
    const code = await runDashboardsCli(['publish', '--grafana', grafana.url, '--token', 'wrong'], io);
    expect(code).toBe(1);
    expect(out.stderr).toContain('401');
    expect(grafana.dashboards.size).toBe(0);
  });

  it('explains a 412 plugin-dashboard conflict and names the dashboard', async () => {
    grafana.folders.set('factorywatch', { uid: 'factorywatch', title: 'factorywatch', version: 1 });
    grafana.dashboards.set('fw-gpu-fleet', {
      uid: 'fw-gpu-fleet',
      title: 'GPU',
      folderUid: 'x',
      version: 3,
      model: {},
      pluginId: 'nvidia-app',
    });
    const { io, out } = captureIo();
    const code = await runDashboardsCli(
      ['publish', '--grafana', grafana.url, '--token', 'glsa_test_token'],
      io,
    );
    expect(code).toBe(1);
    expect(out.stderr).toContain('Grafana refused dashboard fw-gpu-fleet (412 plugin-dashboard)');
  });

  it('with --fail-on-conflict never replaces an existing dashboard and explains the 412 version-mismatch', async () => {
    const first = captureIo();
    expect(
      await runDashboardsCli(['publish', '--grafana', grafana.url, '--token', 'glsa_test_token'], first.io),
    ).toBe(0);
    grafana.dashboards.get('fw-gpu-fleet')!.version = 7; // someone saved it in the UI
    const { io, out } = captureIo();
    const code = await runDashboardsCli(
      ['publish', '--grafana', grafana.url, '--token', 'glsa_test_token', '--fail-on-conflict'],
      io,
    );
    expect(code).toBe(1);
    expect(out.stderr).toContain(
      'Grafana refused dashboard fw-gpu-fleet (412 version-mismatch): it already exists in Grafana',
    );
    expect(grafana.dashboards.get('fw-gpu-fleet')?.version).toBe(7);
  });

  it('rejects missing flags and a bad folder uid as usage errors', async () => {
    const { io, out } = captureIo();
    expect(await runDashboardsCli(['publish', '--grafana', grafana.url], io)).toBe(2);
    expect(
      await runDashboardsCli(['publish', '--grafana', grafana.url, '--token', 't', '--folder', 'a/b'], io),
    ).toBe(2);
    expect(await runDashboardsCli(['frobnicate'], io)).toBe(2);
    expect(out.stderr).toContain('--token');
    expect(grafana.requests).toHaveLength(0);
  });
});
