/**
 * docker-compose.yml and what it mounts: every referenced file exists, ports and volumes are
 * consistent, the Prometheus and Alertmanager configs pass the real promtool / amtool, and the
 * generated files it mounts are up to date with the TypeScript definitions.
 */
import { execFileSync } from 'node:child_process';
import { existsSync, mkdirSync, readdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { buildDashboards } from '../../dashboards/catalogue.js';
import { PROVISIONED_UIDS } from '../../dashboards/datasources.js';
import { ALERTS } from '../../rules/catalogue.js';
import { renderPrometheusRuleFile } from '../../rules/prometheus-rules.js';
import { DEFAULT_RULE_RENDER_OPTIONS } from '../../rules/render-options.js';
import { RULE_FILES } from '../../rules/build.js';
import { COLLECTOR_JOB } from '../../rules/alerts/collector.js';
import { requireTool } from '../helpers/prometheus.js';
import { scratchDir } from '../helpers/tmp.js';

const ROOT = join(import.meta.dirname, '..', '..');

interface Service {
  image?: string;
  build?: { context: string; dockerfile: string };
  volumes?: string[];
  ports?: string[];
  depends_on?: Record<string, { condition: string }> | string[];
  profiles?: string[];
  command?: string[];
}
const compose = parse(readFileSync(join(ROOT, 'docker-compose.yml'), 'utf8')) as {
  services: Record<string, Service>;
  volumes: Record<string, unknown>;
};

/** Splits "source:target[:mode]" of a compose short volume syntax. */
function volume(spec: string): { source: string; target: string } {
  const [source = '', target = ''] = spec.split(':');
  return { source, target };
}

/** Where a bind mount of `service` lands, by its target path. */
function mountSource(service: string, target: string): string {
  const found = compose.services[service]?.volumes?.map(volume).find((v) => v.target === target);
  if (!found) throw new Error(`${service} mounts nothing at ${target}`);
  return join(ROOT, found.source);
}

describe('docker-compose.yml', () => {
  it('runs the whole stack: collector, ClickHouse, Prometheus, Alertmanager, Grafana, dcgm-exporter behind the gpu profile', () => {
    expect(Object.keys(compose.services)).toEqual(
      expect.arrayContaining([
        'collector',
        'clickhouse',
        'prometheus',
        'alertmanager',
        'grafana',
        'dcgm-exporter',
      ]),
    );
    expect(compose.services['dcgm-exporter']?.profiles).toEqual(['gpu']);
  });

  it('references only files that exist, and declares every named volume it uses', () => {
    const used = new Set<string>();
    for (const [name, service] of Object.entries(compose.services)) {
      if (service.build)
        expect(existsSync(join(ROOT, service.build.context, service.build.dockerfile)), name).toBe(true);
      for (const { source } of (service.volumes ?? []).map(volume)) {
        if (source.startsWith('.')) expect(existsSync(join(ROOT, source)), `${name}: ${source}`).toBe(true);
        else used.add(source);
      }
    }
    expect([...used].sort()).toEqual(Object.keys(compose.volumes).sort());
  });

  it('publishes each host port once and depends only on services it defines', () => {
    const hostPorts = Object.values(compose.services).flatMap((s) =>
      (s.ports ?? []).map((p) => p.split(':')[0]),
    );
    expect(new Set(hostPorts).size).toBe(hostPorts.length);
    for (const [name, service] of Object.entries(compose.services)) {
      const deps = Array.isArray(service.depends_on)
        ? service.depends_on
        : Object.keys(service.depends_on ?? {});
      for (const dep of deps) expect(compose.services[dep], `${name} depends on ${dep}`).toBeDefined();
    }
  });

  it('has Prometheus scrape the collector and dcgm-exporter on the ports those services listen on', () => {
    const config = parse(
      readFileSync(mountSource('prometheus', '/etc/prometheus/prometheus.yml'), 'utf8'),
    ) as {
      scrape_configs: {
        job_name: string;
        static_configs: { targets: string[] }[];
        authorization?: { credentials_file: string };
      }[];
      alerting: { alertmanagers: { static_configs: { targets: string[] }[] }[] };
    };
    const targets = Object.fromEntries(
      config.scrape_configs.map((job) => [job.job_name, job.static_configs[0]?.targets[0]]),
    );
    expect(targets[COLLECTOR_JOB]).toBe('collector:8787');
    expect(compose.services.collector?.command).toContain('8787');
    expect(targets['dcgm-exporter']).toBe('dcgm-exporter:9400');
    expect(config.alerting.alertmanagers[0]?.static_configs[0]?.targets).toEqual(['alertmanager:9093']);
    // The token file Prometheus reads is the one the collector-token service writes.
    const credentials = config.scrape_configs.find((job) => job.job_name === COLLECTOR_JOB)?.authorization
      ?.credentials_file;
    expect(credentials).toBe('/etc/prometheus/secrets/prometheus.token');
    expect(compose.services.prometheus?.volumes).toContain('prometheus-secrets:/etc/prometheus/secrets:ro');
    expect(compose.services['collector-token']?.volumes).toContain('prometheus-secrets:/secrets');
  });

  it('passes promtool check config and amtool check-config', () => {
    const dir = scratchDir('fw-compose-');
    mkdirSync(join(dir, 'rules'));
    mkdirSync(join(dir, 'secrets'));
    writeFileSync(join(dir, 'secrets', 'prometheus.token'), 'token');
    const rulesDir = mountSource('prometheus', '/etc/prometheus/rules');
    for (const name of readdirSync(rulesDir))
      writeFileSync(join(dir, 'rules', name), readFileSync(join(rulesDir, name)));
    // Point the container paths at the scratch copy so promtool also loads the mounted rules.
    const config = readFileSync(
      mountSource('prometheus', '/etc/prometheus/prometheus.yml'),
      'utf8',
    ).replaceAll('/etc/prometheus', dir);
    writeFileSync(join(dir, 'prometheus.yml'), config);
    const promtool = execFileSync(requireTool('promtool'), ['check', 'config', join(dir, 'prometheus.yml')], {
      encoding: 'utf8',
    });
    expect(promtool).toContain(`SUCCESS: ${ALERTS.length} rules found`);
    const amtool = execFileSync(
      requireTool('amtool'),
      ['check-config', mountSource('alertmanager', '/etc/alertmanager/alertmanager.yml')],
      {
        encoding: 'utf8',
      },
    );
    expect(amtool).toContain('SUCCESS');
  });

  it('mounts rule files and dashboards that match the TypeScript definitions (regenerate with rules/dashboards build)', () => {
    const rulesDir = mountSource('prometheus', '/etc/prometheus/rules');
    expect(readFileSync(join(rulesDir, RULE_FILES.prometheus), 'utf8')).toBe(
      renderPrometheusRuleFile(ALERTS, DEFAULT_RULE_RENDER_OPTIONS),
    );
    const jsonDir = mountSource('grafana', '/var/lib/grafana/dashboards/factorywatch');
    const built = buildDashboards();
    expect(readdirSync(jsonDir).sort()).toEqual(built.map((d) => `${d.uid}.json`).sort());
    for (const d of built)
      expect(readFileSync(join(jsonDir, `${d.uid}.json`), 'utf8')).toBe(JSON.stringify(d, null, 2) + '\n');
  });

  it('provisions Grafana with the datasource uids the dashboards default to, and the dashboard provider path', () => {
    const dsDir = mountSource('grafana', '/etc/grafana/provisioning/datasources');
    expect(statSync(dsDir).isDirectory()).toBe(true);
    const datasources = readdirSync(dsDir).flatMap(
      (name) =>
        (parse(readFileSync(join(dsDir, name), 'utf8')) as { datasources: { uid: string; type: string }[] })
          .datasources,
    );
    expect(datasources).toEqual(
      expect.arrayContaining([
        expect.objectContaining({ uid: PROVISIONED_UIDS.prometheus, type: 'prometheus' }),
        expect.objectContaining({ uid: PROVISIONED_UIDS.clickhouse, type: 'grafana-clickhouse-datasource' }),
      ]),
    );
    const provider = parse(
      readFileSync(mountSource('grafana', '/etc/grafana/provisioning/dashboards/factorywatch.yaml'), 'utf8'),
    ) as {
      providers: { options: { path: string } }[];
    };
    expect(provider.providers[0]?.options.path).toBe('/var/lib/grafana/dashboards/factorywatch');
  });
});
