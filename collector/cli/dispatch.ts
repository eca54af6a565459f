/** The `factorywatch` command table and dispatcher. */
import { FactorywatchError } from '../errors.js';
import { VERSION } from '../version.js';
import type { CliCommand, CliIo } from './io.js';

const COMMANDS: Record<string, { summary: string; load: () => Promise<CliCommand> }> = {
  start: { summary: 'run the collector', load: async () => (await import('./start.js')).runStart },
  demo: {
    summary: 'run the collector with demo feeds on the embedded store',
    load: async () => (await import('../demo/run-demo.js')).runDemo,
  },
  drift: {
    summary: 'compare datasets offline, show drift, set references',
    load: async () => (await import('../drift/cli.js')).runDriftCli,
  },
  gpu: {
    summary: 'GPU idle report by gpu, host, namespace, pod or model',
    load: async () => (await import('../gpu/cli.js')).runGpuCli,
  },
  models: {
    summary: 'volume, latency and quality per model version',
    load: async () => (await import('../models/cli.js')).runModelsCli,
  },
  pipelines: {
    summary: 'pipeline health: throughput, lag, queues, status',
    load: async () => (await import('../pipeline/cli.js')).runPipelinesCli,
  },
  clickhouse: {
    summary: 'ClickHouse helpers (cluster DDL)',
    load: async () => (await import('../store/clickhouse/cli.js')).runClickHouseCli,
  },
  dashboards: {
    summary: 'build Grafana dashboards, publish them to Grafana',
    load: async () => (await import('../../dashboards/cli.js')).runDashboardsCli,
  },
  rules: {
    summary: 'build Prometheus rule files and Grafana alert rules',
    load: async () => (await import('../../rules/cli.js')).runRulesCli,
  },
  audit: {
    summary: 'query, verify, export and prove the audit trail',
    load: async () => (await import('../governance/audit-cli.js')).runAuditCli,
  },
  policy: {
    summary: 'check an authorisation policy offline',
    load: async () => (await import('../governance/policy-cli.js')).runPolicyCli,
  },
  token: {
    summary: 'create, revoke or list API tokens',
    load: async () => (await import('../governance/token-cli.js')).runTokenCli,
  },
};

function usage(): string {
  const lines = Object.entries(COMMANDS).map(([name, c]) => `  ${name.padEnd(12)} ${c.summary}`);
  return `factorywatch ${VERSION}: observability and governance for AI factories\n\nusage: factorywatch <command> [options]\n\n${lines.join('\n')}\n\nRun 'factorywatch <command> --help' for a command's options.\n`;
}

export async function main(argv: string[], io: CliIo): Promise<number> {
  const [name, ...rest] = argv;
  if (name === undefined || name === 'help' || name === '--help' || name === '-h') {
    io.stdout.write(usage());
    return name === undefined ? 2 : 0;
  }
  if (name === '--version' || name === 'version') {
    io.stdout.write(`${VERSION}\n`);
    return 0;
  }
  const command = COMMANDS[name];
  if (!command) {
    io.stderr.write(`unknown command "${name}"\n\n${usage()}`);
    return 2;
  }
  try {
    return await (
      await command.load()
    )(rest, io);
  } catch (error) {
    if (error instanceof FactorywatchError) {
      io.stderr.write(`error ${error.code}: ${error.message}${error.path ? ` (at ${error.path})` : ''}\n`);
      return 2;
    }
    if ((error as { code?: string }).code?.startsWith('ERR_PARSE_ARGS')) {
      io.stderr.write(`${(error as Error).message}\n`);
      return 2;
    }
    throw error;
  }
}
