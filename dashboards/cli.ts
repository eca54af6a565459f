/** The `factorywatch dashboards` command: `build [--out DIR]` and `publish --grafana URL --token T [--folder UID]`. */
import { parseCommandArgs } from '../collector/cli/args.js';
import type { CliIo } from '../collector/cli/io.js';
import { ALERTS } from '../rules/catalogue.js';
import { DEFAULT_PROMETHEUS_UID, grafanaRules } from '../rules/grafana-rules.js';
import { DEFAULT_RULE_RENDER_OPTIONS } from '../rules/render-options.js';
import { writeDashboards } from './build.js';
import { buildDashboards } from './catalogue.js';
import { GrafanaClient } from './publish/grafana-client.js';
import { publishToGrafana } from './publish/publish.js';

const USAGE = `usage: factorywatch dashboards build [--out DIR]
       factorywatch dashboards publish --grafana URL --token T [--folder UID] [--folder-title TITLE]
                                       [--prometheus-uid UID] [--fail-on-conflict]

build     writes one JSON file per dashboard into DIR (default ./dashboards-out), named <uid>.json.
publish   creates or updates the folder (default uid "factorywatch"), the dashboards and the
          Grafana-managed alert rules through Grafana's HTTP API. The token may also come from
          FACTORYWATCH_GRAFANA_TOKEN (keeps it out of shell history). --fail-on-conflict never
          replaces an existing dashboard: Grafana's 412 (version-mismatch, name-exists) is reported.
`;

/** Runs `dashboards <args>` and resolves to the process exit code (0 ok, 2 usage error, 1 failure). */
export async function runDashboardsCli(args: string[], io: CliIo): Promise<number> {
  const parsed = parseCommandArgs(
    {
      args,
      allowPositionals: true,
      options: {
        out: { type: 'string', default: 'dashboards-out' },
        grafana: { type: 'string' },
        token: { type: 'string' },
        folder: { type: 'string', default: 'factorywatch' },
        'folder-title': { type: 'string', default: 'factorywatch' },
        'prometheus-uid': { type: 'string', default: DEFAULT_PROMETHEUS_UID },
        'fail-on-conflict': { type: 'boolean', default: false },
        help: { type: 'boolean', short: 'h', default: false },
      },
    },
    USAGE,
    io,
  );
  if (typeof parsed === 'number') return parsed;
  const { values, positionals } = parsed;
  const [command, ...extra] = positionals;
  if (extra.length > 0 || (command !== 'build' && command !== 'publish')) {
    io.stderr.write(
      `unknown or missing dashboards subcommand: ${positionals.join(' ') || '(none)'}\n${USAGE}`,
    );
    return 2;
  }
  if (command === 'build') {
    try {
      for (const path of await writeDashboards(values.out)) io.stdout.write(`wrote ${path}\n`);
      return 0;
    } catch (error) {
      io.stderr.write(`dashboards build failed: ${(error as Error).message}\n`);
      return 1;
    }
  }
  const token = values.token ?? process.env.FACTORYWATCH_GRAFANA_TOKEN;
  if (values.grafana === undefined || token === undefined) {
    io.stderr.write(
      `dashboards publish needs --grafana URL and --token T (or FACTORYWATCH_GRAFANA_TOKEN)\n${USAGE}`,
    );
    return 2;
  }
  if (!/^[A-Za-z0-9_-]{1,40}$/.test(values.folder)) {
    io.stderr.write(
      `--folder must be a Grafana uid (1-40 letters, digits, - or _), got "${values.folder}"\n`,
    );
    return 2;
  }
  try {
    const client = new GrafanaClient(values.grafana, token);
    const report = await publishToGrafana(client, {
      folderUid: values.folder,
      folderTitle: values['folder-title'],
      dashboards: buildDashboards(),
      alertRules: grafanaRules(
        ALERTS,
        { folderUid: values.folder, prometheusUid: values['prometheus-uid'], orgId: 1 },
        DEFAULT_RULE_RENDER_OPTIONS,
      ),
      overwrite: !values['fail-on-conflict'],
    });
    io.stdout.write(`folder ${values.folder}: ${report.folder}\n`);
    for (const saved of report.dashboards)
      io.stdout.write(`dashboard ${saved.uid}: version ${saved.version} ${saved.url}\n`);
    for (const rule of report.alertRules) io.stdout.write(`alert rule ${rule.uid}: ${rule.action}\n`);
    return 0;
  } catch (error) {
    io.stderr.write(`dashboards publish failed: ${(error as Error).message}\n`);
    return 1;
  }
}
