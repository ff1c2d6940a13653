// Serves a script bundled with esbuild from the project's TypeScript sources the first time it is asked for,
// then from memory (with an ETag): a checkout serves its own browser code with no build step and nothing built
// is committed. The browser SDK and the console use it.
import { createHash } from 'node:crypto';
import type { FastifyInstance } from 'fastify';
import { build, type BuildOptions } from 'esbuild';

export function serveBundledScript(app: FastifyInstance, path: string, options: BuildOptions): void {
  let pending: Promise<{ code: string; etag: string }> | undefined;
  const bundle = async () => {
    const result = await build({ bundle: true, write: false, target: 'es2022', legalComments: 'none', ...options });
    const code = result.outputFiles![0]!.text;
    return { code, etag: `"${createHash('sha1').update(code).digest('base64url')}"` };
  };
  app.get(path, async (request, reply) => {
    if (!pending) {
      pending = bundle();
      pending.catch(() => (pending = undefined)); // a failed build is retried on the next request
    }
    const { code, etag } = await pending;
    reply.header('content-type', 'application/javascript; charset=utf-8').header('etag', etag).header('cache-control', 'no-cache');
    if (request.headers['if-none-match'] === etag) return reply.code(304).send();
    return reply.send(code);
  });
}
