import { appendFile, readdir, stat } from 'node:fs/promises';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { FactorywatchError } from '../../collector/errors.js';
import { Wal } from '../../collector/wal/wal.js';
import { scratchDir } from '../helpers/tmp.js';

const options = { maxBytes: 10 * 1024 * 1024, segmentBytes: 4096 };

async function drain(wal: Wal, from: number) {
  const reader = wal.reader(from);
  const seqs: number[] = [];
  for (;;) {
    const entries = await reader.read(1_000_000);
    if (entries.length === 0) break;
    seqs.push(...entries.map((e) => e.seq));
  }
  await reader.close();
  return seqs;
}

describe('write-ahead log', () => {
  it('numbers concurrent appends gap-free and reads them back in order across segments', async () => {
    const dir = scratchDir();
    const wal = await Wal.open(dir, options);
    const seqs: number[] = [];
    for (let group = 0; group < 4; group++) {
      const appended = Array.from({ length: 50 }, (_, i) =>
        wal.append('predictions', 't', 1, [{ i, pad: 'x'.repeat(100) }]),
      );
      seqs.push(...(await Promise.all(appended)));
    }
    expect(seqs).toEqual(Array.from({ length: 200 }, (_, i) => i));
    expect(wal.segments.length).toBeGreaterThan(2);
    expect(await drain(wal, 0)).toEqual(seqs);
    expect(await drain(wal, 150)).toEqual(seqs.slice(150));
    await wal.close();
  });

  it('survives reopening: numbering continues and every entry is still readable', async () => {
    const dir = scratchDir();
    const first = await Wal.open(dir, options);
    for (let i = 0; i < 30; i++) await first.append('labels', 't', 1, [{ i }]);
    await first.close();
    const second = await Wal.open(dir, options);
    expect(second.id).toBe(first.id);
    expect(second.nextSeq).toBe(30);
    expect(await second.append('labels', 't', 1, [{}])).toBe(30);
    expect(await drain(second, 0)).toHaveLength(31);
    await second.close();
  });

  it('cuts a torn tail left by a crash in the middle of a write', async () => {
    const dir = scratchDir();
    const wal = await Wal.open(dir, { ...options, segmentBytes: 1 << 20 });
    for (let i = 0; i < 5; i++) await wal.append('labels', 't', 1, [{ i }]);
    await wal.close();
    const [segment] = (await readdir(dir)).filter((n) => n.endsWith('.wal'));
    const path = join(dir, segment as string);
    const sizeBefore = (await stat(path)).size;
    await appendFile(path, Buffer.from([200, 0, 0, 0, 1, 2, 3]));
    const problems: string[] = [];
    const reopened = await Wal.open(dir, { ...options, onProblem: (p) => problems.push(p.reason) });
    expect(problems).toEqual(['incomplete frame at the end']);
    expect((await stat(path)).size).toBe(sizeBefore);
    expect(await reopened.append('labels', 't', 1, [{}])).toBe(5);
    expect(await drain(reopened, 0)).toEqual([0, 1, 2, 3, 4, 5]);
    await reopened.close();
  });

  it('refuses appends past the cap with WAL_FULL and accepts again once applied', async () => {
    const dir = scratchDir();
    const wal = await Wal.open(dir, { maxBytes: 2000, segmentBytes: 1 << 20 });
    const big = [{ pad: 'y'.repeat(600) }];
    await wal.append('labels', 't', 1, big);
    await wal.append('labels', 't', 1, big);
    const refused = await wal.append('labels', 't', 1, big).catch((e: unknown) => e);
    expect(refused).toBeInstanceOf(FactorywatchError);
    expect((refused as FactorywatchError).code).toBe('WAL_FULL');
    await wal.markApplied(1);
    expect(wal.backlogBytes).toBe(0);
    expect(await wal.append('labels', 't', 1, big)).toBe(2);
    await wal.close();
  });

  it('deletes segments once every entry in them is applied', async () => {
    const dir = scratchDir();
    const wal = await Wal.open(dir, options);
    for (let i = 0; i < 100; i++) await wal.append('predictions', 't', 1, [{ pad: 'z'.repeat(200) }]);
    const before = (await readdir(dir)).filter((n) => n.endsWith('.wal')).length;
    await wal.markApplied(99);
    const after = (await readdir(dir)).filter((n) => n.endsWith('.wal')).length;
    expect(before).toBeGreaterThan(3);
    expect(after).toBe(1);
    await wal.close();
    const reopened = await Wal.open(dir, options);
    expect(reopened.nextSeq).toBe(100);
    await reopened.close();
  });

  it('restores the backlog of unapplied entries at start-up', async () => {
    const dir = scratchDir();
    const wal = await Wal.open(dir, options);
    for (let i = 0; i < 10; i++) await wal.append('predictions', 't', 1, [{ i }]);
    await wal.close();
    const reopened = await Wal.open(dir, options);
    await reopened.restoreBacklog(4);
    expect(reopened.backlogBytes).toBeGreaterThan(0);
    await reopened.markApplied(9);
    expect(reopened.backlogBytes).toBe(0);
    await reopened.close();
  });
});
