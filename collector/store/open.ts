/**
 * Opens the store a `--store` spec names: `duckdb:PATH[?setting=value&…]` (DuckDB settings such
 * as memory_limit or threads) or `clickhouse:http://host:8123[?database=…]`.
 */
import { mkdir } from 'node:fs/promises';
import { dirname } from 'node:path';
import { FactorywatchError } from '../errors.js';
import type { Logger } from 'pino';
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

/**
 * `openStore`, waiting out a store server that is not up yet (ClickHouse starting with the
 * collector in docker-compose or Kubernetes): transient failures are retried with capped backoff
 * and logged once per distinct reason; anything else (a bad spec, a schema error) fails at once.
 */
export async function openStoreWhenReachable(
  spec: string,
  logger: Logger,
  signal?: AbortSignal,
): Promise<Store> {
  const isTransient = transientForSpec(spec);
  let backoffMs = 250;
  let lastReason = '';
  for (;;) {
    try {
      return await openStore(spec);
    } catch (error) {
      if (signal?.aborted || !(await isTransient(error))) throw error;
      const reason = error instanceof Error ? error.message : String(error);
      if (reason !== lastReason)
        logger.warn({ store: spec.split(':')[0], reason }, 'waiting for the store to answer');
      lastReason = reason;
      await new Promise((resolve) => {
        const timer = setTimeout(resolve, backoffMs);
        signal?.addEventListener('abort', () => (clearTimeout(timer), resolve(undefined)), { once: true });
      });
      backoffMs = Math.min(10_000, backoffMs * 2);
    }
  }
}

function transientForSpec(spec: string): (error: unknown) => Promise<boolean> {
  if (!spec.startsWith('clickhouse:')) return async () => false;
  return async (error) => (await import('./clickhouse/index.js')).isTransientStoreError(error);
}
