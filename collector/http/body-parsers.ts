/**
 * Request body parsing: JSON, NDJSON (one record per line) and exposition text, each optionally
 * gzip-compressed. The size limit applies to the bytes received and again to the decompressed
 * body, so a small compressed bomb cannot exhaust memory.
 */
import { gunzipSync } from 'node:zlib';
import type { FastifyInstance, FastifyRequest } from 'fastify';
import { FactorywatchError } from '../errors.js';

/** Stands in the records array for an NDJSON line that is not valid JSON. */
export class UnparseableLine {
  constructor(readonly message: string) {}
}

export const NDJSON_TYPES = [
  'application/x-ndjson',
  'application/ndjson',
  'application/jsonl',
  'application/jsonlines',
];
export const TEXT_TYPES = ['text/plain', 'application/openmetrics-text'];

export function registerBodyParsers(app: FastifyInstance, bodyLimitBytes: number): void {
  app.removeAllContentTypeParsers();
  const decode = (request: FastifyRequest, body: Buffer): string => {
    const encoding = String(request.headers['content-encoding'] ?? 'identity').toLowerCase();
    if (encoding === 'identity') return body.toString('utf8');
    if (encoding !== 'gzip') {
      throw new FactorywatchError(
        'UNSUPPORTED_MEDIA_TYPE',
        `Content-Encoding "${encoding}" is not supported; use gzip or none.`,
      );
    }
    try {
      return gunzipSync(body, { maxOutputLength: bodyLimitBytes }).toString('utf8');
    } catch (error) {
      if ((error as { code?: string }).code === 'ERR_BUFFER_TOO_LARGE') {
        throw new FactorywatchError(
          'BODY_TOO_LARGE',
          `The decompressed body exceeds ${bodyLimitBytes} bytes.`,
        );
      }
      throw new FactorywatchError('BODY_UNPARSEABLE', 'The body is not valid gzip data.');
    }
  };

  app.addContentTypeParser(
    'application/json',
    { parseAs: 'buffer', bodyLimit: bodyLimitBytes },
    (request, body, done) => {
      try {
        const text = decode(request, body as Buffer);
        try {
          done(null, text.trim() === '' ? undefined : JSON.parse(text));
        } catch (error) {
          done(
            new FactorywatchError(
              'BODY_UNPARSEABLE',
              `The body is not valid JSON: ${(error as Error).message}`,
            ),
          );
        }
      } catch (error) {
        done(error as Error);
      }
    },
  );

  app.addContentTypeParser(
    NDJSON_TYPES,
    { parseAs: 'buffer', bodyLimit: bodyLimitBytes },
    (request, body, done) => {
      try {
        done(null, { records: parseNdjson(decode(request, body as Buffer)) });
      } catch (error) {
        done(error as Error);
      }
    },
  );

  app.addContentTypeParser(
    TEXT_TYPES,
    { parseAs: 'buffer', bodyLimit: bodyLimitBytes },
    (request, body, done) => {
      try {
        done(null, decode(request, body as Buffer));
      } catch (error) {
        done(error as Error);
      }
    },
  );
}

/** One record per non-empty line; a line that is not JSON becomes an UnparseableLine. */
export function parseNdjson(text: string): unknown[] {
  const records: unknown[] = [];
  for (const line of text.split('\n')) {
    if (line.trim() === '') continue;
    try {
      records.push(JSON.parse(line));
    } catch (error) {
      records.push(new UnparseableLine(`The line is not valid JSON: ${(error as Error).message}`));
    }
  }
  return records;
}

/** The records of a `{records:[…]}` body, or BODY_INVALID. */
export function envelopeRecords(body: unknown): unknown[] {
  if (typeof body !== 'object' || body === null || !Array.isArray((body as { records?: unknown }).records)) {
    throw new FactorywatchError(
      'BODY_INVALID',
      'The body must be {"records":[…]} (JSON) or one record per line (Content-Type: application/x-ndjson).',
      '/records',
    );
  }
  return (body as { records: unknown[] }).records;
}
