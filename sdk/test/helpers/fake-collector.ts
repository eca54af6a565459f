/**
 * A tiny node:http server standing in for the network in the SDK's unit tests (retry, batching,
 * gzip, error handling). It records every request, decoded, and answers through a handler the
 * test sets. The integration suites use the real collector instead (collector-process.ts).
 */
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { gunzipSync } from 'node:zlib';

/** One request the fake received. */
export interface ReceivedRequest {
  readonly path: string;
  readonly headers: IncomingMessage['headers'];
  readonly records: Record<string, unknown>[];
  readonly rawBytes: number;
  readonly at: number;
}

/** How the fake answers: status, optional headers and JSON body; `'hang'` never answers; `'reset'` drops the connection. */
export type FakeAnswer =
  { status: number; headers?: Record<string, string>; body?: unknown } | 'hang' | 'reset';

export type FakeHandler = (request: ReceivedRequest, index: number) => FakeAnswer;

/** Accepts everything, the way the collector answers a valid batch. */
export const acceptAll: FakeHandler = (request) => ({
  status: 202,
  body: { accepted: request.records.length, rejected: [] },
});

export interface FakeCollector {
  readonly url: string;
  readonly requests: ReceivedRequest[];
  handler: FakeHandler;
  /** Records received over all requests, in order. */
  records(): Record<string, unknown>[];
  close(): Promise<void>;
}

/** Starts a fake collector on a free local port. */
export async function startFakeCollector(handler: FakeHandler = acceptAll): Promise<FakeCollector> {
  const requests: ReceivedRequest[] = [];
  const hanging = new Set<ServerResponse>();
  const fake: FakeCollector = {
    url: '',
    requests,
    handler,
    records: () => requests.flatMap((r) => r.records),
    close: () =>
      new Promise<void>((resolve) => {
        for (const res of hanging) res.destroy();
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
  const server: Server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (chunk: Buffer) => chunks.push(chunk));
    req.on('end', () => {
      const raw = Buffer.concat(chunks);
      const text = (req.headers['content-encoding'] === 'gzip' ? gunzipSync(raw) : raw).toString('utf8');
      const envelope = JSON.parse(text) as { records: Record<string, unknown>[] };
      const received: ReceivedRequest = {
        path: req.url ?? '',
        headers: req.headers,
        records: envelope.records,
        rawBytes: raw.length,
        at: Date.now(),
      };
      requests.push(received);
      const answer = fake.handler(received, requests.length - 1);
      if (answer === 'hang') {
        hanging.add(res);
        return;
      }
      if (answer === 'reset') {
        req.socket.destroy();
        return;
      }
      res.writeHead(answer.status, { 'content-type': 'application/json', ...answer.headers });
      res.end(answer.body === undefined ? '' : JSON.stringify(answer.body));
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  (fake as { url: string }).url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  return fake;
}

/** Waits until `condition()` holds, polling; throws with `what` after `timeoutMs`. */
export async function waitFor(condition: () => boolean, what: string, timeoutMs = 10_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!condition()) {
    if (Date.now() > deadline) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
}

/** A logger that keeps what it is told. */
export function memoryLogger(): {
  warn(message: string): void;
  error(message: string): void;
  lines: string[];
} {
  const lines: string[] = [];
  return { lines, warn: (m) => lines.push(`warn ${m}`), error: (m) => lines.push(`error ${m}`) };
}

/** A TCP port nothing listens on (bound then released). */
export async function closedPort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return port;
}
