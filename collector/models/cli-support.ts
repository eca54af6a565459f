/** What the `models` and `pipelines` commands share: reaching the collector and printing tables. */

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

/** GETs `path` with `query` and returns the parsed JSON body; throws RequestFailed with the collector's error. */
export async function getJson(
  endpoint: Endpoint,
  path: string,
  query: Record<string, string | undefined>,
): Promise<unknown> {
  const url = new URL(endpoint.url + path);
  for (const [key, value] of Object.entries(query)) if (value !== undefined) url.searchParams.set(key, value);
  let response: Response;
  try {
    response = await fetch(url, {
      headers: endpoint.token ? { authorization: `Bearer ${endpoint.token}` } : {},
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
  return JSON.parse(text) as unknown;
}

/** Left-aligned columns, two spaces apart, with a header row. */
export function formatTable(header: readonly string[], rows: readonly (readonly string[])[]): string {
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((r) => (r[i] ?? '').length)));
  const line = (cells: readonly string[]) =>
    cells
      .map((c, i) => c.padEnd(widths[i] ?? 0))
      .join('  ')
      .trimEnd();
  return [line(header), ...rows.map(line)].join('\n') + '\n';
}

/** A number for a table cell: 4 significant digits, `-` for null. */
export function cell(value: number | null | undefined): string {
  if (value === null || value === undefined) return '-';
  return Number.isInteger(value) ? String(value) : String(Number(value.toPrecision(4)));
}
