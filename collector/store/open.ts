/**
 * Opens the store a `--store` spec names: `duckdb:PATH[?setting=value&…]` (DuckDB settings such
 * as memory_limit or threads) or `clickhouse:http://host:8123[?database=…]`.
 */
import { mkdir } from 'node:fs/promises';
import { dirname } from 'node:path';
import { FactorywatchError } from '../errors.js';
import type { Store } from './store.js';

export async function openStore(spec: string): Promise<Store> {
  if (spec.startsWith('duckdb:')) {
    const [path = '', query = ''] = spec.slice('duckdb:'.length).split('?', 2);
    await mkdir(dirname(path), { recursive: true });
    const { openDuckDbStore } = await import('./duckdb/index.js');
    return openDuckDbStore(path, Object.fromEntries(new URLSearchParams(query)));
  }
  if (spec.startsWith('clickhouse:')) {
    const { openClickHouseStore } = await import('./clickhouse/index.js');
    return openClickHouseStore(spec.slice('clickhouse:'.length));
  }
  throw new FactorywatchError(
    'CONFIG_INVALID',
    `Unknown store "${spec}": use duckdb:PATH or clickhouse:http://host:8123.`,
    '/store',
  );
}
