/**
 * Per-record validation of the JSON ingest streams. Each record is checked against its wire
 * schema (sdk/src/wire.ts) by a validator compiled once at start-up; the first problem becomes a
 * rejection `{index, code, message, path}` and the valid records of the batch are kept.
 */
import { Compile } from 'typebox/compile';
import type { TSchema } from 'typebox';
import type { RejectedRecord } from '../../sdk/src/wire.js';
import { LabelRecord, PipelineStatRecord, PredictionRecord } from '../../sdk/src/wire.js';
import type { ErrorCode } from '../errors.js';
import { UnparseableLine } from '../http/body-parsers.js';

/** The streams that take JSON records (gpu_samples takes exposition text). */
export type RecordStream = 'predictions' | 'labels' | 'pipeline_stats';

/** A record after validation: the wire record with `ts` resolved to epoch milliseconds. */
export type Normalized<T> = Omit<T, 'ts'> & { ts: number };

interface Problem {
  code: ErrorCode;
  message: string;
  /** JSON pointer inside the record, e.g. `/features/age`. */
  pointer: string;
}

type Check = (record: unknown) => Problem | undefined;

function schemaCheck(schema: TSchema): Check {
  const validator = Compile(schema);
  return (record) => {
    if (record instanceof UnparseableLine)
      return { code: 'RECORD_UNPARSEABLE', message: record.message, pointer: '' };
    if (validator.Check(record)) return undefined;
    if (typeof record !== 'object' || record === null || Array.isArray(record)) {
      return { code: 'RECORD_NOT_OBJECT', message: 'A record must be a JSON object.', pointer: '' };
    }
    const [first] = validator.Errors(record);
    if (!first)
      return { code: 'RECORD_FIELD_TYPE', message: 'The record does not match its schema.', pointer: '' };
    return describe(
      first as unknown as SchemaError,
      validator.Errors(record) as unknown as Iterable<SchemaError>,
    );
  };
}

interface SchemaError {
  keyword: string;
  instancePath: string;
  params: Record<string, unknown>;
  message: string;
}

function describe(first: SchemaError, all: Iterable<SchemaError>): Problem {
  const at = first.instancePath;
  switch (first.keyword) {
    case 'required': {
      const missing = (first.params.requiredProperties as string[] | undefined) ?? [];
      const name = missing[0] ?? '?';
      return {
        code: 'RECORD_FIELD_MISSING',
        message: `Required field "${name}" is missing${missing.length > 1 ? ` (also: ${missing.slice(1).join(', ')})` : ''}.`,
        pointer: `${at}/${name}`,
      };
    }
    case 'boolean':
    case 'additionalProperties': {
      const extra = [...all].find((e) => e.keyword === 'additionalProperties');
      const names = (extra?.params.additionalProperties as string[] | undefined) ?? [
        at.split('/').at(-1) ?? '?',
      ];
      return {
        code: 'RECORD_FIELD_UNKNOWN',
        message: `Unknown field "${names[0]}"; check the spelling against the API reference.`,
        pointer: `${extra?.instancePath ?? ''}/${names[0]}`,
      };
    }
    case 'type': {
      const expected = [...all]
        .filter((e) => e.keyword === 'type' && e.instancePath === at)
        .map((e) => e.params.type);
      return {
        code: 'RECORD_FIELD_TYPE',
        message: `Field "${at || '/'}" must be ${expected.join(' or ')}.`,
        pointer: at,
      };
    }
    default:
      return { code: 'RECORD_FIELD_RANGE', message: `Field "${at}" ${first.message}.`, pointer: at };
  }
}

/** Resolves `ts` (epoch ms or ISO 8601) to epoch ms; `undefined` means "now". */
export function resolveTimestamp(ts: unknown, receivedAt: number): number | Problem {
  if (ts === undefined) return receivedAt;
  const ms = typeof ts === 'number' ? ts : Date.parse(ts as string);
  if (!Number.isFinite(ms) || ms < 0 || ms > 253402300799999) {
    return {
      code: 'RECORD_TIMESTAMP_INVALID',
      message: 'ts must be epoch milliseconds or an ISO 8601 time between 1970 and 9999.',
      pointer: '/ts',
    };
  }
  return Math.round(ms);
}

export interface StreamValidator {
  /** Validates `records`, returning the normalised valid ones and the rejections. */
  validate(records: readonly unknown[], receivedAt: number): { valid: unknown[]; rejected: RejectedRecord[] };
}

/** Builds the validator of one stream, with limits from the configuration. */
export function createValidator(stream: RecordStream, limits: { maxFeatures: number }): StreamValidator {
  const check = schemaCheck(
    stream === 'predictions' ? PredictionRecord : stream === 'labels' ? LabelRecord : PipelineStatRecord,
  );
  const extra: Check =
    stream === 'predictions'
      ? (record) => {
          const count = Object.keys((record as PredictionRecord).features).length;
          return count > limits.maxFeatures
            ? {
                code: 'RECORD_TOO_MANY_FEATURES',
                message: `${count} features exceed the limit of ${limits.maxFeatures} (maxFeatures).`,
                pointer: '/features',
              }
            : undefined;
        }
      : () => undefined;
  return {
    validate(records, receivedAt) {
      const valid: unknown[] = [];
      const rejected: RejectedRecord[] = [];
      for (let index = 0; index < records.length; index++) {
        const record = records[index];
        const problem = check(record) ?? extra(record);
        const ts = problem ? undefined : resolveTimestamp((record as { ts?: unknown }).ts, receivedAt);
        const failure = problem ?? (typeof ts === 'object' ? ts : undefined);
        if (failure) {
          rejected.push({
            index,
            code: failure.code,
            message: failure.message,
            path: `/records/${index}${failure.pointer}`,
          });
        } else {
          valid.push({ ...(record as object), ts });
        }
      }
      return { valid, rejected };
    },
  };
}
