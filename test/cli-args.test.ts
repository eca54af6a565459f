/** One behaviour for every command's flags: bad flag → usage on stderr and 2, --help → usage and 0. */
import { describe, expect, it } from 'vitest';
import { parseCommandArgs } from '../collector/cli/args.js';
import { captureIo } from './helpers/capture-io.js';

const USAGE = 'usage: factorywatch thing [--name N]\n';
const options = { name: { type: 'string' }, help: { type: 'boolean', short: 'h' } } as const;

describe('parseCommandArgs', () => {
  it('returns the parsed flags', () => {
    const run = captureIo();
    const parsed = parseCommandArgs({ args: ['--name', 'x'], options }, USAGE, run.io);
    expect(typeof parsed === 'number' ? parsed : parsed.values.name).toBe('x');
    expect(run.out() + run.err()).toBe('');
  });

  it('answers a bad flag with its message and the usage on stderr, exit code 2', () => {
    const run = captureIo();
    expect(parseCommandArgs({ args: ['--bogus'], options }, USAGE, run.io)).toBe(2);
    expect(run.err()).toMatch(/Unknown option '--bogus'[\s\S]*usage: factorywatch thing/);
    expect(run.out()).toBe('');
  });

  it('prints the usage on stdout for --help and -h, exit code 0', () => {
    for (const flag of ['--help', '-h']) {
      const run = captureIo();
      expect(parseCommandArgs({ args: [flag], options }, USAGE, run.io)).toBe(0);
      expect(run.out()).toBe(USAGE);
    }
  });
});
