// The API documents: OpenAPI 3.1 for each face at /openapi/taskrouter.json, /openapi/workflow.json and
// /openapi/opsflow.json, and a reference page at /docs (Swagger UI, with a picker for the three documents).
// @fastify/swagger collects every route as it is registered; each document is generated, on its first
// request, from the zod schemas the routes declare and decode with (common/routeSchema.ts), converted by
// z.toJSONSchema. TaskRouter paths use Twilio's parameter names ({WorkspaceSid}, {Sid}, ...).
import swagger from '@fastify/swagger';
import swaggerUi from '@fastify/swagger-ui';
import type { FastifyInstance } from 'fastify';
import type { z } from 'zod';
import { type RouteSchema, toJsonSchema } from '../common/routeSchema.ts';

export type Face = 'taskrouter' | 'workflow' | 'opsflow';

interface FaceDocument {
  title: string;
  description: string;
  /** Path prefixes of the face's routes. */
  prefixes: readonly string[];
}

export const FACES: Readonly<Record<Face, FaceDocument>> = {
  taskrouter: {
    title: 'Switchboard: TaskRouter face',
    description:
      'Twilio TaskRouter v1 (`/v1/Workspaces/...`), wire-compatible: form-encoded requests, Twilio error bodies. ' +
      'Also the Twilio 2010-04-01 Accounts and Keys endpoints the twilio client calls, Switchboard\'s token minting, ' +
      'the EventBridge endpoints of the Worker SDK, and the operational endpoints (health, readiness, metrics).',
    prefixes: ['/v1/', '/2010-04-01/', '/switchboard/', '/healthz', '/readyz', '/metrics'],
  },
  workflow: {
    title: 'Switchboard: Workflow face',
    description: 'FINBOURNE LUSID Workflow compatible (TasksApi, TaskDefinitionsApi, WorkersApi): JSON requests, LUSID problem-details errors.',
    prefixes: ['/api/'],
  },
  opsflow: {
    title: 'Switchboard: Opsflow face',
    description: 'SpaceONE (Cloudforet) opsflow compatible: every verb a POST with a JSON body; `X-Workspace-Id` scopes a caller to a workspace; SpaceONE error bodies.',
    prefixes: ['/opsflow/'],
  },
};

/** Routes that serve pages and scripts rather than API operations: in no document. */
export const NOT_API_PREFIXES = ['/console', '/sdk/', '/docs', '/openapi/'] as const;

export function faceOf(path: string): Face | undefined {
  return (Object.keys(FACES) as Face[]).find((face) => FACES[face].prefixes.some((p) => path === p || path.startsWith(p)));
}

/** `ies` -> `y`, else the trailing `s`: Workspaces -> Workspace, Activities -> Activity. */
const singular = (word: string) => (word.endsWith('ies') ? `${word.slice(0, -3)}y` : word.replace(/s$/, ''));

/** Twilio's parameter names: the last segment's parameter is `Sid`, an earlier one is its collection's singular
 *  with `Sid` (`/v1/Workspaces/:ws/Workers/:wk/Channels/:sid` -> `{WorkspaceSid}/.../{WorkerSid}/.../{Sid}`). */
export function twilioPath(url: string): string {
  const segments = url.split('/');
  return segments
    .map((segment, i) => {
      // Only Twilio's capitalised collections (not /v1/wschannels/:account/:channel).
      if (!segment.startsWith(':') || !/^[A-Z]/.test(segments[i - 1] ?? '')) return segment;
      const name = i === segments.length - 1 ? 'Sid' : `${singular(segments[i - 1]!.replace(/\.json$/, ''))}Sid`;
      return `:${name}`;
    })
    .join('/');
}

function isZod(value: unknown): value is z.ZodType {
  return typeof value === 'object' && value !== null && '_zod' in value;
}

/** A route's schema as @fastify/swagger reads it: JSON Schema instead of zod. */
function documented(schema: RouteSchema): Record<string, unknown> {
  const out: Record<string, unknown> = { summary: schema.summary, tags: schema.tags };
  if (schema.description) out.description = schema.description;
  if (schema.consumes) out.consumes = schema.consumes;
  if (isZod(schema.querystring)) out.querystring = toJsonSchema(schema.querystring, 'input');
  if (isZod(schema.body)) out.body = toJsonSchema(schema.body, 'input');
  out.response = Object.fromEntries(
    Object.entries(schema.response).map(([status, s]) => {
      const json = toJsonSchema(s, 'output');
      // No body (204): a response without content.
      return [status, json.type === 'null' ? { type: 'null', description: (json.description as string | undefined) ?? 'No content' } : json];
    }),
  );
  return out;
}

declare module 'fastify' {
  interface FastifyInstance {
    /** Every route registered after the documents were set up (the documents test compares them). */
    registeredRoutes: { method: string; url: string }[];
  }
}

export async function registerApiDocs(app: FastifyInstance): Promise<void> {
  const routes: { method: string; url: string }[] = [];
  app.decorate('registeredRoutes', routes);
  app.addHook('onRoute', (route) => {
    for (const method of [route.method].flat()) routes.push({ method, url: route.url });
  });
  await app.register(swagger, {
    openapi: {
      openapi: '3.1.0',
      info: { title: 'Switchboard', version: '1' },
      components: { securitySchemes: { basic: { type: 'http', scheme: 'basic', description: 'AccountSid:AuthToken or ApiKeySid:ApiKeySecret' } } },
      security: [{ basic: [] }],
    },
    // HEAD routes are fastify's automatic twins of GET routes.
    exposeHeadRoutes: false,
    transform: ({ schema, url }) => {
      if (NOT_API_PREFIXES.some((p) => url.startsWith(p)) || !faceOf(url)) return { schema: { ...(schema as object), hide: true }, url };
      const path = url.startsWith('/v1/') || url.startsWith('/2010-04-01/') ? twilioPath(url) : url;
      // A route that declares no schema is listed bare (the documents test names it).
      if (!schema || !(schema as RouteSchema).response) return { schema, url: path };
      return { schema: documented(schema as RouteSchema), url: path };
    },
  });
}

/** The three documents, split from the one @fastify/swagger generates, each built once. */
export function registerDocumentRoutes(app: FastifyInstance): void {
  const built = new Map<Face, unknown>();
  const documentOf = (face: Face) => {
    let doc = built.get(face);
    if (!doc) {
      const whole = app.swagger() as { openapi: string; components: unknown; security: unknown; paths: Record<string, unknown> };
      const paths = Object.fromEntries(Object.entries(whole.paths).filter(([path]) => faceOf(path) === face));
      const { title, description } = FACES[face];
      doc = { openapi: whole.openapi, info: { title, description, version: '1' }, components: whole.components, security: whole.security, paths };
      built.set(face, doc);
    }
    return doc;
  };
  for (const face of Object.keys(FACES) as Face[]) {
    app.get(`/openapi/${face}.json`, async (_request, reply) => reply.header('cache-control', 'no-cache').send(documentOf(face)));
  }
  app.register(swaggerUi, {
    routePrefix: '/docs',
    staticCSP: true,
    uiConfig: {
      // Relative to the page (/docs/): Swagger UI resolves a URL by appending it to the page's own.
      urls: (Object.keys(FACES) as Face[]).map((face) => ({ url: `../openapi/${face}.json`, name: FACES[face].title })),
      deepLinking: true,
    },
  });
}
