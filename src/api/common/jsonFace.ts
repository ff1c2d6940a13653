// What the JSON faces (Workflow, Opsflow) set up the same way inside their route scope: JSON bodies only
// (fastify's parser, which refuses __proto__ / constructor poisoning), and one error path that maps framework
// errors onto the registry and renders every failure, 404s included, in the face's own error body.
// JSON comes under every media type the LUSID SDKs send: `application/json-patch+json` (the first of their
// list, sent on every write), `application/json`, `text/json` and any `application/*+json`. An empty body is
// no body, whatever its type: the SDKs send a JSON content type with a bodiless trigger, and aiohttp adds
// `Content-Length: 0` to a bodiless POST, PUT, PATCH or DELETE.
import type { FastifyInstance, FastifyRequest } from 'fastify';
import { ApiError, type ErrorKind } from '../../core/errors.ts';
import { LIMITS } from '../../core/limits.ts';
import { authChallengeOf } from './http.ts';
import { toApiError } from './twilioError.ts';

/** application/json, text/json and every application/*+json (json-patch+json, problem+json, ...). */
export const JSON_MEDIA_TYPES: (string | RegExp)[] = ['application/json', 'text/json', /^application\/[a-z0-9!#$&^_.-]+\+json\s*(;.*)?$/i];

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
  const json = api.getDefaultJsonParser('error', 'error');
  const parser = (request: FastifyRequest, body: string | Buffer, done: (err: Error | null, body?: unknown) => void) => {
    const text = String(body);
    if (text.trim() === '') return done(null, undefined);
    json(request, text, done);
  };
  for (const type of JSON_MEDIA_TYPES) api.addContentTypeParser(type, { parseAs: 'string', bodyLimit: LIMITS.bodyBytes }, parser);
  api.setErrorHandler((err, request, reply) => {
    let apiError = toApiError(err);
    if ((err as { code?: string }).code === 'FST_ERR_CTP_INVALID_MEDIA_TYPE') apiError = new ApiError('unsupportedMediaType', 'Unsupported Content-Type: send JSON (application/json, application/json-patch+json, text/json or application/*+json)');
    else if (apiError.kind === 'invalidParameter') apiError = new ApiError(face.validationKind, apiError.message);
    if (apiError.status >= 500) request.log.error(err);
    const challenge = apiError.status === 401 ? authChallengeOf(request) : undefined;
    if (challenge) reply.header('WWW-Authenticate', challenge);
    reply.code(apiError.status).send(face.body(apiError, request));
  });
  api.setNotFoundHandler((request, reply) => {
    const err = face.notFound(request);
    reply.code(err.status).send(face.body(err, request));
  });
}
