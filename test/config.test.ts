import { describe, expect, it } from 'vitest';
import { CONFIG_DEFAULTS, resolveConfig } from '../collector/config/config.js';
import { FactorywatchError } from '../collector/errors.js';

function failure(run: () => unknown): FactorywatchError {
  try {
    run();
  } catch (error) {
    if (error instanceof FactorywatchError) return error;
    throw error;
  }
  throw new Error('expected a CONFIG_INVALID error');
}

describe('configuration', () => {
  it('uses the documented defaults, with the store inside the data dir', () => {
    const config = resolveConfig({});
    expect(config.port).toBe(8787);
    expect(config.dataDir).toBe('./data');
    expect(config.store).toBe('duckdb:./data/factorywatch.duckdb');
    expect(config.wal).toEqual(CONFIG_DEFAULTS.wal);
  });

  it('merges defaults < file < environment < flags', () => {
    const file = { port: 1000, dataDir: '/from-file', wal: { maxBytes: 4096 } };
    expect(resolveConfig({ file }).port).toBe(1000);
    expect(resolveConfig({ file, env: { FACTORYWATCH_PORT: '2000' } }).port).toBe(2000);
    const all = resolveConfig({ file, env: { FACTORYWATCH_PORT: '2000' }, flags: { port: '3000' } });
    expect(all.port).toBe(3000);
    // Nested keys from the file keep their siblings' defaults.
    expect(all.wal).toEqual({ ...CONFIG_DEFAULTS.wal, maxBytes: 4096 });
    expect(resolveConfig({ file, env: { FACTORYWATCH_WAL_MAX_BYTES: '8192' } }).wal.maxBytes).toBe(8192);
    expect(all.store).toBe('duckdb:/from-file/factorywatch.duckdb');
    expect(resolveConfig({ file, flags: { store: 'clickhouse:http://ch:8123' } }).store).toBe(
      'clickhouse:http://ch:8123',
    );
  });

  it('names the offending key of an invalid value', () => {
    expect(failure(() => resolveConfig({ file: { port: 70000 } }))).toMatchObject({
      code: 'CONFIG_INVALID',
      path: '/port',
    });
    expect(failure(() => resolveConfig({ env: { FACTORYWATCH_PORT: 'eighty' } }))).toMatchObject({
      code: 'CONFIG_INVALID',
      path: 'FACTORYWATCH_PORT',
    });
    expect(failure(() => resolveConfig({ file: { colour: 'blue' } }))).toMatchObject({ path: '/colour' });
    expect(failure(() => resolveConfig({ file: { wal: { maxBytes: -1 } } }))).toMatchObject({
      path: '/wal/maxBytes',
    });
    expect(failure(() => resolveConfig({ flags: { store: 'sqlite:x.db' } }))).toMatchObject({
      path: '/store',
    });
    expect(failure(() => resolveConfig({ file: { gpu: { threshold: 2 } } }))).toMatchObject({
      code: 'CONFIG_INVALID',
    });
  });

  it('is pure: the same sources give the same configuration, and the sources are not changed', () => {
    const file = { port: 1234, wal: { maxBytes: 4096 } };
    const copy = structuredClone(file);
    expect(resolveConfig({ file })).toEqual(resolveConfig({ file }));
    expect(file).toEqual(copy);
  });
});
