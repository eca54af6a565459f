import type { CliIo } from './io.js';

/** How CLI commands reach a running collector: `--url`/`--token` defaults, JSON requests, errors worded for the terminal. */

/** The flags of every command that calls a running collector: where, with which token, JSON out. */
export const COLLECTOR_OPTIONS = {
  url: { type: 'string' },
  token: { type: 'string' },
  json: { type: 'boolean', default: false },
} as const;

/** Where the collector is and how to authenticate: flags, else FACTORYWATCH_URL / FACTORYWATCH_TOKEN. */
export interface Endpoint {
  url: string;
  token: string | undefined;
}

/** `--url` / `--token` with their environment defaults. */
export function endpointOf(values: { url?: string | undefined; token?: string | undefined }): Endpoint {
  return {
    url: (values.url ?? process.env.FACTORYWATCH_URL ?? 'http://127.0.0.1:8787').replace(/\/+$/, ''),
    token: values.token ?? process.env.FACTORYWATCH_TOKEN,
  };
}

/** A failed call, already worded for the terminal. */
export class RequestFailed extends Error {}

/** Sends a JSON request and returns the parsed answer; throws RequestFailed with the collector's error. */
export async function requestJson(
  endpoint: Endpoint,
  method: 'GET' | 'POST' | 'PUT',
  path: string,
  options: { query?: Record<string, string | undefined>; body?: unknown } = {},
): Promise<unknown> {
  const url = new URL(endpoint.url + path);
  for (const [key, value] of Object.entries(options.query ?? {})) {
    if (value !== undefined) url.searchParams.set(key, value);
  }
  let response: Response;
  try {
    response = await fetch(url, {
      method,
      headers: {
        ...(endpoint.token ? { authorization: `Bearer ${endpoint.token}` } : {}),
        ...(options.body === undefined ? {} : { 'content-type': 'application/json' }),
      },
      ...(options.body === undefined ? {} : { body: JSON.stringify(options.body) }),
    });
  } catch (error) {
    throw new RequestFailed(`cannot reach the collector at ${endpoint.url}: ${(error as Error).message}`);
  }
  const text = await response.text();
  if (!response.ok) {
    let detail = text;
    try {
      const body = JSON.parse(text) as { error?: { code?: string; message?: string; path?: string } };
      if (body.error)
        detail = `${body.error.code}: ${body.error.message}${body.error.path ? ` (at ${body.error.path})` : ''}`;
    } catch {
      // not JSON: show the text as is
    }
    throw new RequestFailed(`${path} answered ${response.status}: ${detail}`);
  }
  return text === '' ? {} : (JSON.parse(text) as unknown);
}

/** GETs `path` with `query` (see requestJson). */
export function getJson(
  endpoint: Endpoint,
  path: string,
  query: Record<string, string | undefined>,
): Promise<unknown> {
  return requestJson(endpoint, 'GET', path, { query });
}

/** GETs `path` from the collector `flags` name; on failure writes it to stderr and resolves undefined. */
export async function getJsonOrReport<T>(
  flags: { url?: string | undefined; token?: string | undefined },
  path: string,
  query: Record<string, string | undefined>,
  io: CliIo,
): Promise<T | undefined> {
  try {
    return (await getJson(endpointOf(flags), path, query)) as T;
  } catch (error) {
    if (!(error instanceof RequestFailed)) throw error;
    io.stderr.write(`error: ${error.message}\n`);
    return undefined;
  }
}
