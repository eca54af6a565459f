import { gunzipSync } from 'node:zlib';
import { describe, expect, it } from 'vitest';
import { encodeBatch, GZIP_MIN_BYTES, STRINGIFY_SLICE } from '../../src/encode.js';

const records = Array.from({ length: 250 }, (_, i) => ({ request_id: `r${i}`, label: i % 2 === 0, ts: i }));

describe('encodeBatch', () => {
  it('produces the {records:[...]} envelope, gzipped when large', async () => {
    const { body, gzipped } = await encodeBatch(records, true);
    expect(gzipped).toBe(true);
    expect(JSON.parse(gunzipSync(body).toString('utf8'))).toEqual({ records });
  });

  it('leaves small bodies and gzip: false alone', async () => {
    const small = await encodeBatch(records.slice(0, 2), true);
    expect(small.gzipped).toBe(false);
    expect(small.body.length).toBeLessThan(GZIP_MIN_BYTES);
    const plain = await encodeBatch(records, false);
    expect(JSON.parse(plain.body.toString('utf8'))).toEqual({ records });
    expect(JSON.parse((await encodeBatch([], true)).body.toString('utf8'))).toEqual({ records: [] });
  });

  it('gives the event loop a turn between slices of records', async () => {
    let turns = 0;
    let counting = true;
    const tick = (): void => {
      if (!counting) return;
      turns++;
      setImmediate(tick);
    };
    setImmediate(tick);
    await encodeBatch(records, false);
    counting = false;
    expect(turns).toBeGreaterThanOrEqual(Math.ceil(records.length / STRINGIFY_SLICE) - 1);
  });
});
