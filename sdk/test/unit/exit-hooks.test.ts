/** flushOnExit, in a real child process: queued records are delivered before the process ends. */
import { spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { afterEach, describe, expect, it } from 'vitest';
import { startFakeCollector, type FakeCollector } from '../helpers/fake-collector.js';

const child = fileURLToPath(new URL('../helpers/exit-child.ts', import.meta.url));
let fake: FakeCollector | undefined;

afterEach(async () => {
  await fake?.close();
});

function run(endpoint: string, count: number, mode: 'signal' | 'drain') {
  return new Promise<{ code: number | null; signal: NodeJS.Signals | null; stderr: string }>((resolve) => {
    const proc = spawn(process.execPath, ['--import', 'tsx', child, endpoint, String(count), mode], {
      stdio: ['ignore', 'ignore', 'pipe'],
    });
    let stderr = '';
    proc.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
    proc.on('exit', (code, signal) => resolve({ code, signal, stderr }));
  });
}

describe('flushOnExit', () => {
  it('delivers the queue on SIGTERM, then lets the signal end the process', async () => {
    fake = await startFakeCollector();
    const result = await run(fake.url, 123, 'signal');
    expect(result.stderr).toBe('');
    expect(result.signal).toBe('SIGTERM');
    expect(fake.records()).toHaveLength(123);
  });

  it('delivers the queue when the event loop runs dry, and exits normally', async () => {
    fake = await startFakeCollector();
    const result = await run(fake.url, 77, 'drain');
    expect(result).toMatchObject({ code: 0, signal: null });
    expect(fake.records()).toHaveLength(77);
  });
});
