/** What every governance CLI command shares: its I/O streams and the data dir / URL / token defaults. */
import type { FactorywatchError } from '../errors.js';

/** The streams a CLI command writes to. */
export interface CliIo {
  stdout: NodeJS.WritableStream;
  stderr: NodeJS.WritableStream;
}

/** `--data-dir`, else FACTORYWATCH_DATA_DIR, else ./data. */
export function dataDirFrom(flag: string | undefined): string {
  return flag ?? (process.env.FACTORYWATCH_DATA_DIR || './data');
}

/** `--url`, else FACTORYWATCH_URL, else http://127.0.0.1:8787. */
export function urlFrom(flag: string | undefined): string {
  return (flag ?? (process.env.FACTORYWATCH_URL || 'http://127.0.0.1:8787')).replace(/\/+$/, '');
}

/** `--token`, else FACTORYWATCH_TOKEN. */
export function tokenFrom(flag: string | undefined): string | undefined {
  return flag ?? (process.env.FACTORYWATCH_TOKEN || undefined);
}

/** `--policies-dir`, else FACTORYWATCH_POLICIES_DIR, else '' (the shipped policies). */
export function policiesDirFlag(flag: string | undefined): string {
  return flag ?? (process.env.FACTORYWATCH_POLICIES_DIR || '');
}

/** Writes one line. */
export function println(stream: NodeJS.WritableStream, line: string): void {
  stream.write(`${line}\n`);
}

/** The message of anything thrown, with the code and path of a FactorywatchError. */
export function describeError(error: unknown): string {
  const e = error as Partial<FactorywatchError> & Error;
  if (typeof e?.code === 'string' && 'status' in e)
    return `${e.code}: ${e.message}${e.path ? ` (at ${e.path})` : ''}`;
  return e instanceof Error ? e.message : String(error);
}
