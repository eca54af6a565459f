/** What every governance CLI command shares: its I/O streams and the data dir / URL / token defaults. */
import type { FactorywatchError } from '../errors.js';

export type { CliIo } from '../cli/io.js';

/** `--data-dir`, else FACTORYWATCH_DATA_DIR, else ./data. */
export function dataDirFrom(flag: string | undefined): string {
  return flag ?? (process.env.FACTORYWATCH_DATA_DIR || './data');
}

/** `--policies-dir`, else FACTORYWATCH_POLICIES_DIR, else '' (the shipped policies). */
export function policiesDirFlag(flag: string | undefined): string {
  return flag ?? (process.env.FACTORYWATCH_POLICIES_DIR || '');
}

/** Writes one line. */
export function println(stream: { write(text: string): unknown }, line: string): void {
  stream.write(`${line}\n`);
}

/** The message of anything thrown, with the code and path of a FactorywatchError. */
export function describeError(error: unknown): string {
  const e = error as Partial<FactorywatchError> & Error;
  if (typeof e?.code === 'string' && 'status' in e)
    return `${e.code}: ${e.message}${e.path ? ` (at ${e.path})` : ''}`;
  return e instanceof Error ? e.message : String(error);
}
