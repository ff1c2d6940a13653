// Serves the browser SDK (sdk/src, the taskrouter.js API) as one script at /sdk/taskrouter.js (readable) and
// /sdk/taskrouter.min.js. It is bundled with esbuild from the TypeScript sources the first time it is asked
// for and kept in memory, so a checkout serves its own SDK with no build step and nothing built is committed.
import { createHash } from 'node:crypto';
import { fileURLToPath } from 'node:url';
import type { FastifyInstance } from 'fastify';
import { build } from 'esbuild';

const ENTRY = fileURLToPath(new URL('../../../sdk/src/index.ts', import.meta.url));

interface Bundle {
  code: string;
  etag: string;
}

async function bundle(minify: boolean): Promise<Bundle> {
  const result = await build({
    entryPoints: [ENTRY],
    bundle: true,
    write: false,
    format: 'iife',
    target: 'es2022',
    minify,
    legalComments: 'none',
    banner: { js: '/* Switchboard taskrouter.js — Twilio.TaskRouter.Workspace, Worker, TaskQueue */' },
  });
  const code = result.outputFiles[0]!.text;
  return { code, etag: `"${createHash('sha1').update(code).digest('base64url')}"` };
}

export function registerBrowserSdk(app: FastifyInstance): void {
  const bundles = new Map<string, Promise<Bundle>>();
  const serve = (file: string, minify: boolean) =>
    app.get(`/sdk/${file}`, async (request, reply) => {
      let pending = bundles.get(file);
      if (!pending) {
        pending = bundle(minify);
        bundles.set(file, pending);
        pending.catch(() => bundles.delete(file)); // a failed build is retried on the next request
      }
      const { code, etag } = await pending;
      reply.header('content-type', 'application/javascript; charset=utf-8').header('etag', etag).header('cache-control', 'no-cache');
      if (request.headers['if-none-match'] === etag) return reply.code(304).send();
      return reply.send(code);
    });
  serve('taskrouter.js', false);
  serve('taskrouter.min.js', true);
}
