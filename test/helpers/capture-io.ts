/** A CliIo that keeps what a command writes to stdout and stderr, for in-process CLI tests. */
import type { CliIo } from '../../collector/cli/io.js';

export function captureIo(): { io: CliIo; out: () => string; err: () => string } {
  let out = '';
  let err = '';
  return {
    io: {
      stdout: { write: (text: string) => (out += text) },
      stderr: { write: (text: string) => (err += text) },
    },
    out: () => out,
    err: () => err,
  };
}
