/** Maps every failure to `{error:{code, message, path?}}` with the catalogue's status. */
import type { FastifyError, FastifyInstance } from 'fastify';
import { FactorywatchError } from '../errors.js';

/** fastify's own error codes that mean the client sent something wrong. */
const FASTIFY_CODES: Record<string, () => FactorywatchError> = {
  FST_ERR_CTP_BODY_TOO_LARGE: () =>
    new FactorywatchError('BODY_TOO_LARGE', 'The body exceeds the size limit (bodyLimitBytes).'),
  FST_ERR_CTP_INVALID_MEDIA_TYPE: () =>
    new FactorywatchError(
      'UNSUPPORTED_MEDIA_TYPE',
      'Unsupported Content-Type: send application/json, application/x-ndjson or text/plain.',
    ),
  FST_ERR_CTP_EMPTY_JSON_BODY: () => new FactorywatchError('BODY_INVALID', 'The body is empty.'),
  FST_ERR_CTP_INVALID_CONTENT_LENGTH: () =>
    new FactorywatchError('BODY_UNPARSEABLE', 'The Content-Length does not match the body.'),
};

export function toFactorywatchError(error: FastifyError | FactorywatchError | Error): FactorywatchError {
  if (error instanceof FactorywatchError) return error;
  const fastifyError = error as FastifyError;
  const known = fastifyError.code ? FASTIFY_CODES[fastifyError.code] : undefined;
  if (known) return known();
  if (fastifyError.validation) {
    const first = fastifyError.validation[0];
    const where = fastifyError.validationContext ?? 'body';
    const path =
      first?.instancePath ||
      (first?.params as { missingProperty?: string } | undefined)?.missingProperty ||
      '';
    return new FactorywatchError(
      where === 'querystring' ? 'QUERY_INVALID' : 'BODY_INVALID',
      `Invalid ${where}: ${path ? `${path} ` : ''}${first?.message ?? 'does not match the schema'}.`,
      path ? `/${where}${path.startsWith('/') ? path : `/${path}`}` : `/${where}`,
    );
  }
  if (
    typeof fastifyError.statusCode === 'number' &&
    fastifyError.statusCode >= 400 &&
    fastifyError.statusCode < 500
  ) {
    return new FactorywatchError('BODY_INVALID', error.message);
  }
  return new FactorywatchError('INTERNAL', 'An unexpected error occurred; it has been logged.');
}

export function registerErrorHandlers(app: FastifyInstance): void {
  app.setErrorHandler((error: FastifyError, request, reply) => {
    const failure = toFactorywatchError(error);
    if (failure.status >= 500 && failure.code === 'INTERNAL')
      request.log.error({ err: error }, 'request failed');
    if (failure.code === 'WAL_FULL') void reply.header('retry-after', '5');
    return reply.code(failure.status).send(failure.toBody());
  });
  app.setNotFoundHandler((request, reply) =>
    reply
      .code(404)
      .send(
        new FactorywatchError(
          'NOT_FOUND',
          `No route ${request.method} ${request.url.split('?')[0]}.`,
        ).toBody(),
      ),
  );
}
