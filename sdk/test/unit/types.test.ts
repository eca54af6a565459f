/**
 * Compile-time checks: the SDK's input types come from the collector's wire schemas, so a wrong
 * record does not compile. `npm run typecheck` (tsc over sdk/test) fails if any
 * `@ts-expect-error` below stops being an error, i.e. if the types became too loose.
 */
import { Writable } from 'node:stream';
import { pino } from 'pino';
import { describe, expect, it } from 'vitest';
import { createMonitor, type Logger, type Monitor, type PredictionInput } from '../../src/index.js';

function wrongRecordsDoNotCompile(monitor: Monitor): void {
  // @ts-expect-error a boolean is not a feature value on the wire
  monitor.logPrediction({ features: { is_weekend: true }, prediction: 1 });
  // @ts-expect-error an object is not a prediction
  monitor.logPrediction({ features: {}, prediction: { score: 1 } });
  // @ts-expect-error prediction is required
  monitor.logPrediction({ features: { x: 1 } });
  // @ts-expect-error snake_case is the wire's spelling, not the SDK's
  monitor.logPrediction({ features: {}, prediction: 1, latency_ms: 3 });
  // @ts-expect-error status is one of ok, failed, running
  monitor.pipeline('p', 's').record({ rowsIn: 1, rowsOut: 1, status: 'done' });
  // @ts-expect-error rowsOut is required
  monitor.pipeline('p', 's').record({ rowsIn: 1 });
  // @ts-expect-error labels are numbers, strings or booleans
  monitor.logLabel('req-1', null);
  // @ts-expect-error model is required
  createMonitor({ endpoint: 'http://x', token: 't', version: '1' });
}

describe('types shared with the wire schemas', () => {
  it('accept the records the collector accepts', () => {
    const ok: PredictionInput = {
      features: { a: 1, b: 'x', c: null },
      prediction: true,
      label: 'late',
      latencyMs: 1,
    };
    expect(typeof wrongRecordsDoNotCompile).toBe('function');
    expect(ok.features).toEqual({ a: 1, b: 'x', c: null });
  });
});

describe('Logger', () => {
  it('accepts pino and console as they are', () => {
    const lines: string[] = [];
    const sink = new Writable({
      write(chunk: Buffer, _encoding, done) {
        lines.push(chunk.toString());
        done();
      },
    });
    const logger: Logger = pino(sink);
    const alsoConsole: Logger = console;
    expect(typeof alsoConsole.warn).toBe('function');
    createMonitor({ endpoint: 'nope', token: 't', model: 'm', version: '1', logger });
    expect(lines).toHaveLength(1);
    expect(JSON.parse(lines[0] ?? '{}')).toMatchObject({
      level: 40,
      msg: expect.stringMatching(/monitor disabled/),
    });
  });
});
