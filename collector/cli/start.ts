/** `factorywatch start`: runs the collector until SIGINT/SIGTERM. */
import { startCollector, type Collector } from '../server.js';
import type { CliIo } from './io.js';
import { configFlagsUsage, loadConfig } from './load-config.js';

export async function runStart(args: string[], io: CliIo): Promise<number> {
  if (args.includes('--help') || args.includes('-h')) {
    io.stdout.write(configFlagsUsage('start'));
    return 0;
  }
  const config = loadConfig(args);
  const collector = await startCollector(config);
  io.stderr.write(`factorywatch collector listening on ${collector.url} (store ${config.store})\n`);
  await untilSignalled(collector);
  return 0;
}

/** Resolves after the first SIGINT/SIGTERM has shut the collector down cleanly. */
export function untilSignalled(
  collector: Collector,
  beforeClose: () => void = () => undefined,
): Promise<void> {
  return new Promise((resolve) => {
    let closing = false;
    const shutdown = (signal: string) => {
      if (closing) return;
      closing = true;
      collector.context.logger.info({ signal }, 'shutting down');
      beforeClose();
      collector
        .close()
        .catch((err: unknown) => collector.context.logger.error({ err }, 'shutdown failed'))
        .finally(resolve);
    };
    process.once('SIGINT', () => shutdown('SIGINT'));
    process.once('SIGTERM', () => shutdown('SIGTERM'));
  });
}
