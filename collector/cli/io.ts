/** What every CLI command receives, so tests can run commands in-process and read their output. */
export interface CliIo {
  stdout: NodeJS.WritableStream;
  stderr: NodeJS.WritableStream;
}

/** A command: its arguments after the command name, the streams; resolves with the exit code. */
export type CliCommand = (args: string[], io: CliIo) => Promise<number>;
