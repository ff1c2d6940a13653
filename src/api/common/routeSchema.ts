// Route schemas: each route declares, in its fastify `schema`, the zod schemas it decodes its query and body
// with (the very objects its handler passes to decodeParams or to a service) and the zod schema of each
// response it sends. They serve two purposes:
//   * the OpenAPI documents (api/docs/openapi.ts) are generated from them (z.toJSONSchema), so a document
//     lists exactly the parameters the route accepts;
//   * with `checkResponses` (the test harnesses turn it on) every response is checked against its declared
//     schema before it is sent, exact keys included, so the whole test suite keeps the documents truthful.
// Decoding stays in the handlers (each face's own error format): fastify's validator is a no-op here, and in
// production responses are serialized with plain JSON.stringify, as before.
import type { FastifyInstance } from 'fastify';
import { z } from 'zod';
import { paramsObject } from './params.ts';
import { TWILIO_ERROR } from './twilioError.ts';

/** A response that has no body (204). */
export const NO_CONTENT = z.null().describe('No content');

export interface RouteDoc {
  summary: string;
  description?: string;
  /** Query parameters: a shape of `param.*` decoders (TaskRouter) or a zod object (JSON faces). */
  query?: z.ZodRawShape | z.ZodType;
  /** The request body: a shape of `param.*` decoders (a form) or a zod schema (JSON). */
  body?: z.ZodRawShape | z.ZodType;
  /** The responses by status code ('4xx' for the face's error body). */
  responses: Record<string | number, z.ZodType>;
}

/** What fastify keeps in a route's `schema` (the docs transform reads it; fastify itself only carries it). */
export interface RouteSchema {
  summary: string;
  description?: string;
  tags: string[];
  consumes?: string[];
  querystring?: z.ZodType;
  body?: z.ZodType;
  response: Record<string, z.ZodType>;
}

const asSchema = (s: z.ZodRawShape | z.ZodType): z.ZodType => (s instanceof z.ZodType ? s : paramsObject(s));

function routeSchema(tag: string, doc: RouteDoc, consumes: string): { schema: RouteSchema } {
  return {
    schema: {
      summary: doc.summary,
      ...(doc.description ? { description: doc.description } : {}),
      tags: [tag],
      ...(doc.body ? { consumes: [consumes], body: asSchema(doc.body) } : {}),
      ...(doc.query ? { querystring: asSchema(doc.query) } : {}),
      response: Object.fromEntries(Object.entries(doc.responses).map(([status, s]) => [status, s])),
    },
  };
}

/** A route of the form-encoded faces (TaskRouter, the 2010 Accounts API). */
export function formRoute(tag: string, doc: RouteDoc): { schema: RouteSchema } {
  return routeSchema(tag, doc, 'application/x-www-form-urlencoded');
}

/** A route of the Twilio-compatible faces: form-encoded, errors in Twilio's body. */
export function twilioRoute(tag: string, doc: RouteDoc): { schema: RouteSchema } {
  return formRoute(tag, { ...doc, responses: { ...doc.responses, '4xx': TWILIO_ERROR } });
}

/** A route of the JSON faces (Workflow, Opsflow, the bulk statistics POST). */
export function jsonRoute(tag: string, doc: RouteDoc): { schema: RouteSchema } {
  return routeSchema(tag, doc, 'application/json');
}

/** A JSON Schema (draft 2020-12, which OpenAPI 3.1 uses) of a request (`input`) or response (`output`) schema. */
export function toJsonSchema(schema: z.ZodType, io: 'input' | 'output'): Record<string, unknown> {
  return z.toJSONSchema(schema, { io, unrepresentable: 'any', reused: 'inline' }) as Record<string, unknown>;
}

function isZod(value: unknown): value is z.ZodType {
  return value instanceof z.ZodType;
}

/**
 * Fastify carries the zod schemas but does not validate with them (the handlers decode, in each face's error
 * format). With `checkResponses`, a response that does not match its declared schema is a 500 naming the
 * difference (printed to stderr), which fails the test that caused it.
 */
export function installRouteSchemas(app: FastifyInstance, checkResponses: boolean): void {
  app.setValidatorCompiler(() => () => true);
  app.setSerializerCompiler(({ schema, method, url, httpStatus }) => {
    if (!checkResponses || !isZod(schema)) return (data) => JSON.stringify(data);
    const strict = strictly(schema);
    return (data) => {
      const result = strict.safeParse(data === undefined ? null : data);
      if (!result.success) {
        const issue = result.error.issues[0]!;
        const message = `${method} ${url} ${httpStatus}: the response does not match its documented schema at ${issue.path.join('.') || '(root)'}: ${issue.message}`;
        // The client sees a 500; the test's output says why.
        process.stderr.write(`checkResponses: ${message}\n`);
        throw new Error(message);
      }
      return JSON.stringify(data);
    };
  });
}

/** The schema with every object made strict (unknown keys are a mismatch), for the response check. */
const strictCache = new WeakMap<z.ZodType, z.ZodType>();
function strictly(schema: z.ZodType): z.ZodType {
  let s = strictCache.get(schema);
  if (!s) {
    s = makeStrict(schema);
    strictCache.set(schema, s);
  }
  return s;
}

function makeStrict(schema: z.ZodType): z.ZodType {
  if (schema instanceof z.ZodObject) {
    const shape = Object.fromEntries(Object.entries(schema.shape as z.ZodRawShape).map(([k, v]) => [k, makeStrict(v as z.ZodType)]));
    // An object declared loose (.loose(): open-ended, e.g. a task's fields) stays loose.
    return schema.def.catchall && !(schema.def.catchall instanceof z.ZodNever) ? z.looseObject(shape) : z.strictObject(shape);
  }
  if (schema instanceof z.ZodArray) return z.array(makeStrict(schema.element as z.ZodType));
  if (schema instanceof z.ZodNullable) return makeStrict(schema.unwrap() as z.ZodType).nullable();
  if (schema instanceof z.ZodOptional) return makeStrict(schema.unwrap() as z.ZodType).optional();
  return schema;
}
