/** Flag parsing shared by the commands: one behaviour for a bad flag and for `--help`. */
import { parseArgs, type ParseArgsConfig } from 'node:util';
import type { CliIo } from './io.js';

/**
 * Parses a command's arguments. A bad flag prints its message and `usage` to stderr and gives
 * exit code 2; `--help` (when the command declares it) prints `usage` to stdout and gives 0.
 */
export function parseCommandArgs<T extends ParseArgsConfig>(
  config: T,
  usage: string,
  io: CliIo,
): ReturnType<typeof parseArgs<T>> | number {
  let parsed: ReturnType<typeof parseArgs<T>>;
  try {
    parsed = parseArgs(config);
  } catch (error) {
    io.stderr.write(`${(error as Error).message}\n\n${usage.trimEnd()}\n`);
    return 2;
  }
  if ((parsed.values as { help?: boolean }).help === true) {
    io.stdout.write(`${usage.trimEnd()}\n`);
    return 0;
  }
  return parsed;
}
