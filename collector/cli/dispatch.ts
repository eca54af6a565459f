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
