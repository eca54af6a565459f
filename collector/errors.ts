/**
 * The error catalogue: every error the collector answers with has a stable code here, its HTTP
 * status and a one-line meaning. The README lists them all (a test checks it).
 */

export const ERROR_CATALOGUE = {
  // Whole-request errors.
  BODY_UNPARSEABLE: { status: 400, meaning: 'The body is not valid JSON / NDJSON / exposition text.' },
  BODY_INVALID: { status: 400, meaning: 'The body parsed but does not have the required shape.' },
  BODY_TOO_LARGE: { status: 413, meaning: 'The body exceeds the configured size limit.' },
  UNSUPPORTED_MEDIA_TYPE: { status: 415, meaning: 'The Content-Type is not one the route accepts.' },
  QUERY_INVALID: { status: 400, meaning: 'A query-string parameter is missing or malformed.' },
  NOT_FOUND: { status: 404, meaning: 'No such route or resource.' },
  AUTH_TOKEN_MISSING: { status: 401, meaning: 'No bearer token was sent.' },
  AUTH_TOKEN_INVALID: { status: 401, meaning: 'The bearer token is unknown, malformed or revoked.' },
  AUTH_FORBIDDEN: { status: 403, meaning: "The token's role or tenant does not allow this action." },
  WAL_FULL: {
    status: 503,
    meaning: 'The write-ahead log reached its size cap; retry after the backlog drains.',
  },
  STORE_UNAVAILABLE: { status: 503, meaning: 'The store cannot be reached.' },
  INTERNAL: { status: 500, meaning: 'An unexpected failure; the request may be retried.' },
  CONFIG_INVALID: { status: 400, meaning: 'A configuration value is invalid (the path names it).' },
  POLICY_INVALID: {
    status: 400,
    meaning:
      'A policy was rejected: a malformed line, an unknown object or action, an uncovered route, or no admin left able to change policy.',
  },

  // Per-record rejections inside a 202 answer.
  RECORD_UNPARSEABLE: { status: 400, meaning: 'An NDJSON line is not valid JSON.' },
  RECORD_NOT_OBJECT: { status: 400, meaning: 'A record is not a JSON object.' },
  RECORD_FIELD_MISSING: { status: 400, meaning: 'A required field is absent.' },
  RECORD_FIELD_UNKNOWN: { status: 400, meaning: 'A field that the record type does not have.' },
  RECORD_FIELD_TYPE: { status: 400, meaning: 'A field has the wrong type.' },
  RECORD_FIELD_RANGE: {
    status: 400,
    meaning: 'A field is out of range (negative count, empty name, too long, not finite).',
  },
  RECORD_TIMESTAMP_INVALID: {
    status: 400,
    meaning: 'ts is neither epoch milliseconds nor an ISO 8601 time.',
  },
  RECORD_TOO_MANY_FEATURES: {
    status: 400,
    meaning: 'A prediction has more features than the configured maximum.',
  },
  EXPOSITION_LINE_INVALID: {
    status: 400,
    meaning: 'A line of a dcgm-exporter exposition body is malformed.',
  },
} as const;

export type ErrorCode = keyof typeof ERROR_CATALOGUE;

/** An error that reaches the client as `{error:{code, message, path?}}` with the catalogue's status. */
export class FactorywatchError extends Error {
  readonly status: number;

  constructor(
    readonly code: ErrorCode,
    message: string,
    readonly path?: string,
  ) {
    super(message);
    this.name = 'FactorywatchError';
    this.status = ERROR_CATALOGUE[code].status;
  }

  toBody(): { error: { code: string; message: string; path?: string } } {
    return {
      error: {
        code: this.code,
        message: this.message,
        ...(this.path === undefined ? {} : { path: this.path }),
      },
    };
  }
}
