// What the JSON faces (Workflow, Opsflow) set up the same way inside their route scope: JSON bodies only
// (fastify's parser, which refuses __proto__ / constructor poisoning), and one error path that maps framework
// errors onto the registry and renders every failure, 404s included, in the face's own error body.
import type { FastifyInstance, FastifyRequest } from 'fastify';
import { ApiError, type ErrorKind } from '../../core/errors.ts';
import { LIMITS } from '../../core/limits.ts';
import { toApiError } from './twilioError.ts';

export interface JsonFace {
  /** The face's kind for the framework's validation failures (malformed JSON, a bad query string). */
  validationKind: ErrorKind;
  /** The error for a path the face does not serve. */
  notFound(request: FastifyRequest): ApiError;
  /** The face's error body. */
  body(err: ApiError, request: FastifyRequest): unknown;
}

export function configureJsonFace(api: FastifyInstance, face: JsonFace): void {
  api.removeAllContentTypeParsers();
  api.addContentTypeParser('application/json', { parseAs: 'string', bodyLimit: LIMITS.bodyBytes }, api.getDefaultJsonParser('error', 'error'));
  api.setErrorHandler((err, request, reply) => {
    let apiError = toApiError(err);
    if ((err as { code?: string }).code === 'FST_ERR_CTP_INVALID_MEDIA_TYPE') apiError = new ApiError('unsupportedMediaType', 'Unsupported Content-Type: send application/json');
    else if (apiError.kind === 'invalidParameter') apiError = new ApiError(face.validationKind, apiError.message);
    if (apiError.status >= 500) request.log.error(err);
    if (apiError.status === 401) reply.header('WWW-Authenticate', 'Basic realm="Switchboard"');
    reply.code(apiError.status).send(face.body(apiError, request));
  });
  api.setNotFoundHandler((request, reply) => {
    const err = face.notFound(request);
    reply.code(err.status).send(face.body(err, request));
  });
}
