/** The `factorywatch rules` command: `rules build [--out DIR]`. */
import { parseCommandArgs } from '../collector/cli/args.js';
import type { CliIo } from '../collector/cli/io.js';
import { buildRules } from './build.js';
import { DEFAULT_PROMETHEUS_UID } from './grafana-rules.js';
import { DEFAULT_RULE_RENDER_OPTIONS } from './render-options.js';

const USAGE = `usage: factorywatch rules build [--out DIR] [--runbook-base-url URL] [--prometheus-uid UID]
                                [--for DURATION] [--interval DURATION]

Writes DIR/factorywatch-alerts.rules.yml (Prometheus) and DIR/grafana-alert-rules.json
(Grafana-managed rules). DIR defaults to ./rules-out. --for replaces every non-zero for:
(for test stacks); --interval sets the rule group evaluation interval (default 1m).
`;

/** Runs `rules <args>` and resolves to the process exit code (0 ok, 2 usage error, 1 failure). */
export async function runRulesCli(args: string[], io: CliIo): Promise<number> {
  const parsed = parseCommandArgs(
    {
      args,
      allowPositionals: true,
      options: {
        out: { type: 'string', default: 'rules-out' },
        'runbook-base-url': { type: 'string', default: DEFAULT_RULE_RENDER_OPTIONS.runbookBaseUrl },
        'prometheus-uid': { type: 'string', default: DEFAULT_PROMETHEUS_UID },
        for: { type: 'string' },
        interval: { type: 'string', default: DEFAULT_RULE_RENDER_OPTIONS.evaluationInterval },
        help: { type: 'boolean', short: 'h', default: false },
      },
    },
    USAGE,
    io,
  );
  if (typeof parsed === 'number') return parsed;
  const { values, positionals } = parsed;
  if (positionals.length !== 1 || positionals[0] !== 'build') {
    io.stderr.write(`unknown or missing rules subcommand: ${positionals.join(' ') || '(none)'}\n${USAGE}`);
    return 2;
  }
  const duration = /^\d+(ms|s|m|h|d)$/;
  for (const [flag, value] of [
    ['--for', values.for],
    ['--interval', values.interval],
  ] as const) {
    if (value !== undefined && !duration.test(value)) {
      io.stderr.write(`${flag} must be a Prometheus duration such as 30s or 5m, got "${value}"\n`);
      return 2;
    }
  }
  try {
    const written = await buildRules(
      values.out,
      {
        runbookBaseUrl: values['runbook-base-url'],
        evaluationInterval: values.interval,
        ...(values.for === undefined ? {} : { forOverride: values.for }),
      },
      values['prometheus-uid'],
    );
    for (const path of written) io.stdout.write(`wrote ${path}\n`);
    return 0;
  } catch (error) {
    io.stderr.write(`rules build failed: ${(error as Error).message}\n`);
    return 1;
  }
}
