/**
 * Store errors, split into transient (the server is unreachable, overloaded or restarting: retry
 * with backoff) and permanent (schema, syntax, type errors: retrying repeats the failure).
 */

/** A failure of the ClickHouse store, with the server's error code when it sent one. */
export class ClickHouseStoreError extends Error {
  constructor(
    message: string,
    /** ClickHouse's numeric error code (e.g. 60 UNKNOWN_TABLE), when the server answered. */
    readonly serverCode: number | undefined,
    /** True when retrying later may succeed. */
    readonly transient: boolean,
    options?: { cause?: unknown },
  ) {
    super(message, options);
    this.name = 'ClickHouseStoreError';
  }
}

// Socket-level failures: the server is down, restarting, or the network between us is.
const TRANSIENT_NODE_CODES = new Set([
  'ECONNREFUSED',
  'ECONNRESET',
  'ECONNABORTED',
  'EPIPE',
  'ETIMEDOUT',
  'EHOSTUNREACH',
  'EHOSTDOWN',
  'ENETUNREACH',
  'ENETDOWN',
  'EAI_AGAIN',
  'ENOTFOUND',
  'ESOCKETTIMEDOUT',
  'UND_ERR_SOCKET',
  'UND_ERR_CONNECT_TIMEOUT',
]);

// Server answers that mean "not now": overload, memory pressure, replicas or Keeper away,
// shutting down. Codes from ClickHouse's ErrorCodes.cpp, stable across releases.
const TRANSIENT_SERVER_CODES = new Set([
  159, // TIMEOUT_EXCEEDED
  164, // READONLY (a replica in read-only mode while Keeper is away)
  202, // TOO_MANY_SIMULTANEOUS_QUERIES
  209, // SOCKET_TIMEOUT
  210, // NETWORK_ERROR
  241, // MEMORY_LIMIT_EXCEEDED
  242, // TABLE_IS_READ_ONLY
  252, // TOO_MANY_PARTS
  279, // ALL_CONNECTION_TRIES_FAILED
  319, // UNKNOWN_STATUS_OF_INSERT
  394, // QUERY_WAS_CANCELLED
  425, // SYSTEM_ERROR
  999, // KEEPER_EXCEPTION
]);

const SERVER_CODE = /\bCode: (\d+)/;
const TRANSIENT_MESSAGES = /socket hang up|Timeout error|other side closed|ECONNRESET|ECONNREFUSED/i;

/** True when `err` means "the store is unreachable or busy, retry later" rather than a defect. */
export function isTransientStoreError(err: unknown): boolean {
  if (err instanceof ClickHouseStoreError) return err.transient;
  return classify(err).transient;
}

function classify(err: unknown): { serverCode: number | undefined; transient: boolean } {
  if (!(err instanceof Error)) return { serverCode: undefined, transient: false };
  const nodeCode = (err as { code?: unknown }).code;
  if (typeof nodeCode === 'string' && TRANSIENT_NODE_CODES.has(nodeCode))
    return { serverCode: undefined, transient: true };
  // Current servers' errors arrive parsed (ClickHouseError, code '60'); 18.16's as plain text.
  const digits =
    typeof nodeCode === 'string' && /^\d+$/.test(nodeCode) ? nodeCode : SERVER_CODE.exec(err.message)?.[1];
  if (digits !== undefined) {
    const serverCode = Number(digits);
    return { serverCode, transient: TRANSIENT_SERVER_CODES.has(serverCode) };
  }
  if (err.cause !== undefined && err.cause !== err) return classify(err.cause);
  return { serverCode: undefined, transient: TRANSIENT_MESSAGES.test(err.message) };
}

/** Wraps any failure of a ClickHouse call into a ClickHouseStoreError saying what was attempted. */
export function wrapClickHouseError(err: unknown, during: string): ClickHouseStoreError {
  if (err instanceof ClickHouseStoreError) return err;
  const { serverCode, transient } = classify(err);
  const reason = err instanceof Error ? err.message : String(err);
  const nodeCode = err instanceof Error ? (err as { code?: unknown }).code : undefined;
  const prefix =
    typeof nodeCode === 'string' && !reason.includes(nodeCode)
      ? /^\d+$/.test(nodeCode)
        ? `Code: ${nodeCode}. `
        : `${nodeCode} `
      : '';
  return new ClickHouseStoreError(
    `ClickHouse: ${prefix}${reason.trim()} (during ${during})`,
    serverCode,
    transient,
    { cause: err },
  );
}
