/** Parsing of the `--store clickhouse:URL` target. */
import type { ClickHouseTarget } from './connection.js';

/** The database used when the URL names none. */
export const DEFAULT_DATABASE = 'factorywatch';

/**
 * `http(s)://[user:password@]host:port[/][?database=NAME]` (a leading `clickhouse:` is accepted
 * too) → where to connect. Throws with the reason on anything else.
 */
export function parseClickHouseUrl(text: string): ClickHouseTarget {
  const raw = text.startsWith('clickhouse:') ? text.slice('clickhouse:'.length) : text;
  let url: URL;
  try {
    url = new URL(raw);
  } catch {
    throw new Error(`ClickHouse URL "${raw}" is not a URL; expected http://host:8123[?database=NAME]`);
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:') {
    throw new Error(
      `ClickHouse URL "${raw}" must use http or https (the HTTP interface, port 8123 by default)`,
    );
  }
  const database = url.searchParams.get('database') || DEFAULT_DATABASE;
  if (!/^[A-Za-z_][A-Za-z0-9_]*$/.test(database)) {
    throw new Error(`ClickHouse database "${database}" must be letters, digits and underscores`);
  }
  const username = url.username ? decodeURIComponent(url.username) : undefined;
  const password = url.password ? decodeURIComponent(url.password) : undefined;
  const base = `${url.protocol}//${url.host}${url.pathname === '/' ? '' : url.pathname}`;
  return {
    url: base,
    database,
    ...(username === undefined ? {} : { username }),
    ...(password === undefined ? {} : { password }),
  };
}
