import { pino } from 'pino';
import { describe, expect, it } from 'vitest';
import { openStoreWhenReachable } from '../../collector/store/open.js';

describe('opening the store', () => {
  it('keeps waiting for a ClickHouse server that refuses connections, logging the reason once', async () => {
    const lines: string[] = [];
    const logger = pino({ level: 'warn' }, { write: (line: string) => void lines.push(line) });
    const abort = new AbortController();
    const outcome = await Promise.race([
      openStoreWhenReachable('clickhouse:http://127.0.0.1:1?database=nowhere', logger, abort.signal).then(
        () => 'opened',
        (error: unknown) => `failed: ${String(error)}`,
      ),
      new Promise((resolve) => setTimeout(() => resolve('still waiting'), 2_000)),
    ]);
    expect(outcome).toBe('still waiting');
    abort.abort();
    expect(lines.filter((l) => l.includes('waiting for the store to answer'))).toHaveLength(1);
  });

  it('fails at once on a spec that can never work', async () => {
    await expect(openStoreWhenReachable('sqlite:./x.db', pino({ level: 'silent' }))).rejects.toMatchObject({
      code: 'CONFIG_INVALID',
      path: '/store',
    });
  });
});
