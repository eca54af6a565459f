/** A minimal Grafana HTTP API client: bearer token, JSON in and out, errors that say what failed. */

/** A non-2xx answer from Grafana, with its `status` field when the body has one (e.g. name-exists). */
export class GrafanaApiError extends Error {
  constructor(
    readonly method: string,
    readonly path: string,
    readonly status: number,
    readonly grafanaMessage: string,
    readonly grafanaStatus: string | undefined,
  ) {
    super(
      `${method} ${path} answered ${status}${grafanaStatus ? ` (${grafanaStatus})` : ''}: ${grafanaMessage}`,
    );
    this.name = 'GrafanaApiError';
  }
}

/** One answer: status and parsed JSON body (undefined for empty bodies). */
export interface GrafanaResponse<T> {
  readonly status: number;
  readonly body: T;
}

/** Talks to one Grafana with one token (a service account token or API key). */
export class GrafanaClient {
  private readonly baseUrl: string;

  constructor(
    baseUrl: string,
    private readonly token: string,
  ) {
    if (!/^https?:\/\//.test(baseUrl)) throw new Error(`--grafana must be an http(s) URL, got "${baseUrl}"`);
    if (token.trim() === '')
      throw new Error('a Grafana token is required (--token or FACTORYWATCH_GRAFANA_TOKEN)');
    this.baseUrl = baseUrl.replace(/\/+$/, '');
  }

  /**
   * Sends one request. Statuses listed in `accept` come back as values; any other non-2xx
   * status throws a GrafanaApiError.
   */
  async request<T>(
    method: string,
    path: string,
    body?: unknown,
    accept: readonly number[] = [],
  ): Promise<GrafanaResponse<T>> {
    const headers: Record<string, string> = {
      Authorization: `Bearer ${this.token}`,
      Accept: 'application/json',
    };
    if (body !== undefined) headers['Content-Type'] = 'application/json';
    let response: Response;
    try {
      response = await fetch(this.baseUrl + path, {
        method,
        headers,
        ...(body === undefined ? {} : { body: JSON.stringify(body) }),
      });
    } catch (error) {
      throw new Error(`cannot reach Grafana at ${this.baseUrl}: ${(error as Error).message}`);
    }
    const text = await response.text();
    let parsed: unknown = undefined;
    if (text !== '') {
      try {
        parsed = JSON.parse(text);
      } catch {
        parsed = { message: text.slice(0, 200) };
      }
    }
    if (response.ok || accept.includes(response.status))
      return { status: response.status, body: parsed as T };
    const fields = (parsed ?? {}) as { message?: string; msg?: string; status?: string };
    throw new GrafanaApiError(
      method,
      path,
      response.status,
      fields.message ?? fields.msg ?? response.statusText,
      fields.status,
    );
  }
}
