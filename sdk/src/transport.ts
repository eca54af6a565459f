/**
 * One HTTP POST to the collector and what its answer means for the batch: delivered, retry
 * later, split (too large) or refused for good. node:http (not fetch) keeps the per-request
 * overhead low and gives exact control over timeouts, aborts and response size.
 */
import {
  Agent as HttpAgent,
  request as httpRequest,
  type ClientRequest,
  type IncomingMessage,
} from 'node:http';
import { Agent as HttpsAgent, request as httpsRequest } from 'node:https';
import type { RejectedRecord } from './wire.js';
import { parseRetryAfter } from './backoff.js';
import type { EncodedBody } from './encode.js';

/** What a send achieved. */
export type SendOutcome =
  | { readonly kind: 'accepted'; readonly accepted: number; readonly rejected: readonly RejectedRecord[] }
  | { readonly kind: 'retry'; readonly reason: string; readonly retryAfterMs: number | undefined }
  | { readonly kind: 'too-large' }
  | { readonly kind: 'refused'; readonly status: number; readonly code: string; readonly message: string };

/** Responses are small JSON documents; anything bigger is cut off rather than buffered. */
const MAX_RESPONSE_BYTES = 1 << 20;

/** Statuses worth retrying: the collector is busy, restarting, or behind a proxy that is. */
function isRetryable(status: number): boolean {
  return status === 408 || status === 429 || status >= 500;
}

/**
 * Sends bodies to one collector over a keep-alive connection.
 *
 * @example
 * ```ts
 * const transport = new Transport(new URL('http://127.0.0.1:8787/'), token, 10_000);
 * const outcome = await transport.post('v1/labels', await encodeBatch(records, true), 1);
 * transport.close();
 * ```
 */
export class Transport {
  private readonly agent: HttpAgent;
  private readonly request: typeof httpRequest;
  private readonly authorization: string;

  constructor(
    private readonly base: URL,
    token: string,
    private readonly timeoutMs: number,
  ) {
    const https = base.protocol === 'https:';
    // One socket is enough: the sender has at most one request in flight.
    this.agent = https
      ? new HttpsAgent({ keepAlive: true, maxSockets: 1 })
      : new HttpAgent({ keepAlive: true, maxSockets: 1 });
    this.request = https ? httpsRequest : httpRequest;
    this.authorization = `Bearer ${token}`;
  }

  /**
   * POSTs `encoded` to `path` (relative to the endpoint). Never rejects: every failure becomes an
   * outcome. `signal` aborts the request (used by shutdown when its time is up).
   */
  post(path: string, encoded: EncodedBody, recordCount: number, signal?: AbortSignal): Promise<SendOutcome> {
    return new Promise<SendOutcome>((resolve) => {
      let settled = false;
      let req: ClientRequest | undefined;
      // A whole-exchange deadline: socket timeouts alone miss a server that trickles bytes.
      const timer = setTimeout(() => {
        req?.destroy(new Error(`no answer within ${this.timeoutMs} ms`));
      }, this.timeoutMs);
      timer.unref();
      const finish = (outcome: SendOutcome): void => {
        if (settled) return;
        settled = true;
        clearTimeout(timer);
        resolve(outcome);
      };
      const url = new URL(path, this.base);
      const headers: Record<string, string | number> = {
        authorization: this.authorization,
        'content-type': 'application/json',
        'content-length': encoded.body.length,
      };
      if (encoded.gzipped) headers['content-encoding'] = 'gzip';
      try {
        req = this.request(url, { method: 'POST', headers, agent: this.agent, signal });
      } catch (error) {
        finish({ kind: 'retry', reason: `request failed: ${messageOf(error)}`, retryAfterMs: undefined });
        return;
      }
      req.on('error', (error) => {
        finish({ kind: 'retry', reason: messageOf(error), retryAfterMs: undefined });
      });
      req.on('response', (res) => {
        readBody(res).then(
          (text) => finish(interpret(res, text, recordCount)),
          (error: unknown) =>
            finish({
              kind: 'retry',
              reason: `reading the answer failed: ${messageOf(error)}`,
              retryAfterMs: undefined,
            }),
        );
      });
      req.end(encoded.body);
    });
  }

  /** Closes idle keep-alive sockets so the host can exit. */
  close(): void {
    this.agent.destroy();
  }
}

function interpret(res: IncomingMessage, text: string, recordCount: number): SendOutcome {
  const status = res.statusCode ?? 0;
  if (status >= 200 && status < 300) {
    const parsed = parseJson(text) as { accepted?: unknown; rejected?: unknown } | undefined;
    const rejected = Array.isArray(parsed?.rejected) ? (parsed.rejected as RejectedRecord[]) : [];
    const accepted = typeof parsed?.accepted === 'number' ? parsed.accepted : recordCount - rejected.length;
    return { kind: 'accepted', accepted, rejected };
  }
  if (status === 413) return { kind: 'too-large' };
  const error = (parseJson(text) as { error?: { code?: unknown; message?: unknown } } | undefined)?.error;
  const code = typeof error?.code === 'string' ? error.code : `HTTP_${status}`;
  const message = typeof error?.message === 'string' ? error.message : text.slice(0, 200);
  if (isRetryable(status)) {
    const header = res.headers['retry-after'];
    return {
      kind: 'retry',
      reason: `HTTP ${status} ${code}: ${message}`,
      retryAfterMs: parseRetryAfter(header),
    };
  }
  return { kind: 'refused', status, code, message };
}

function readBody(res: IncomingMessage): Promise<string> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    res.on('data', (chunk: Buffer) => {
      size += chunk.length;
      if (size <= MAX_RESPONSE_BYTES) chunks.push(chunk);
    });
    res.on('end', () => resolve(Buffer.concat(chunks).toString('utf8')));
    res.on('error', reject);
    res.on('aborted', () => reject(new Error('the answer was cut off')));
  });
}

function parseJson(text: string): unknown {
  try {
    return JSON.parse(text) as unknown;
  } catch {
    return undefined;
  }
}

function messageOf(error: unknown): string {
  if (error instanceof Error) {
    const code = (error as NodeJS.ErrnoException).code;
    return code !== undefined && !error.message.includes(code) ? `${code} ${error.message}` : error.message;
  }
  return String(error);
}
