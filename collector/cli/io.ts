/** What every CLI command receives, so tests can run commands in-process and read their output. */
export interface CliIo {
  stdout: { write(text: string): unknown };
  stderr: { write(text: string): unknown };
}

/** A command: its arguments after the command name, the streams; resolves with the exit code. */
export type CliCommand = (args: string[], io: CliIo) => Promise<number>;
