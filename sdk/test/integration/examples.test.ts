/** The examples in sdk/examples, run as their README says, against a real collector. */
import { spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { MonitorStats } from '../../src/index.js';
import { startRealCollector, type RealCollector } from '../helpers/collector-process.js';
import { closedPort } from '../helpers/fake-collector.js';

let collector: RealCollector;

beforeAll(async () => {
  collector = await startRealCollector();
});

afterAll(async () => {
  await collector?.dispose();
});

function runExample(name: string, args: string[]) {
  const file = fileURLToPath(new URL(`../../examples/${name}`, import.meta.url));
  return new Promise<{ code: number | null; stdout: string; stderr: string }>((resolve) => {
    const child = spawn(process.execPath, ['--import', 'tsx', file, ...args], {
      env: { ...process.env, FACTORYWATCH_URL: collector.url, FACTORYWATCH_TOKEN: collector.serviceToken },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (chunk: Buffer) => (stdout += chunk.toString()));
    child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
    child.on('exit', (code) => resolve({ code, stdout, stderr }));
  });
}

describe('examples', () => {
  it('batch-pipeline reports four stages and logs its scores', async () => {
    const result = await runExample('batch-pipeline.ts', ['--rows', '2000']);
    expect(result.code, result.stderr).toBe(0);
    const stats = JSON.parse(result.stdout.trim().split('\n').at(-1) ?? '{}') as MonitorStats;
    // 2,000 rows, of which the validate stage drops the corrupt ones (i % 97 === 0 but not i % 50 === 0).
    const corrupt = Array.from({ length: 2000 }, (_, i) => i).filter(
      (i) => i % 97 === 0 && i % 50 !== 0,
    ).length;
    expect(stats).toMatchObject({
      predictions: 2000 - corrupt,
      delivered: 2000 - corrupt + 8,
      dropped: 0,
      rejected: 0,
    });
    expect(await collector.stored('pipeline_stats', 8)).toBe(8);
  });

  it('model-server serves predictions, takes labels and exposes SDK metrics', async () => {
    const result = await runExample('model-server.ts', [
      '--simulate',
      '300',
      '--metrics-port',
      String(await closedPort()),
    ]);
    expect(result.code, result.stderr).toBe(0);
    expect(result.stderr).toMatch(/SDK metrics at http:\/\/localhost:\d+\/metrics/);
    const stats = JSON.parse(result.stdout.trim().split('\n').at(-1) ?? '{}') as MonitorStats;
    expect(stats).toMatchObject({ predictions: 300, delivered: 400, dropped: 0, rejected: 0 });
    expect(await collector.stored('labels', 100)).toBe(100);
  });
});
