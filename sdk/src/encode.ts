/**
 * Serialises a batch into a request body. Compression runs on libuv's thread pool (zlib's async
 * API), so only JSON.stringify touches the host's event loop, and it runs in slices with an
 * event-loop turn between them: 500 records of 10 features take about 1 ms to stringify in one
 * go, which would be one 1 ms stall of the host per batch; in slices of 100 it is five 0.2 ms ones.
 */
import { setImmediate as nextTurn } from 'node:timers/promises';
import { gzip as gzipCallback } from 'node:zlib';
import { promisify } from 'node:util';

const gzip = promisify(gzipCallback);

/** Records stringified per event-loop turn. */
export const STRINGIFY_SLICE = 100;

/** Bodies smaller than this are sent as is: gzip's header and the CPU are not worth it. */
export const GZIP_MIN_BYTES = 1024;

/** A request body ready to send. */
export interface EncodedBody {
  readonly body: Buffer;
  readonly gzipped: boolean;
}

/**
 * Encodes `records` as the collector's `{records:[...]}` JSON envelope, gzipped when asked and
 * worth it.
 *
 * @example
 * ```ts
 * const { body, gzipped } = await encodeBatch([{ request_id: 'r1', label: 1 }], true);
 * ```
 */
export async function encodeBatch(records: readonly unknown[], compress: boolean): Promise<EncodedBody> {
  const parts: string[] = [];
  for (let start = 0; start < records.length; start += STRINGIFY_SLICE) {
    if (start > 0) await nextTurn();
    // Each record alone: JSON.stringify of the slice array would add brackets to strip.
    const end = Math.min(records.length, start + STRINGIFY_SLICE);
    for (let i = start; i < end; i++) parts.push(JSON.stringify(records[i]) ?? 'null');
  }
  const json = Buffer.from(`{"records":[${parts.join(',')}]}`);
  if (!compress || json.length < GZIP_MIN_BYTES) return { body: json, gzipped: false };
  // Level 3: about 90% of level 6's ratio on JSON records at roughly half the CPU.
  return { body: await gzip(json, { level: 3 }), gzipped: true };
}
