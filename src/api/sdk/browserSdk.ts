// Serves the browser SDK (sdk/src, the taskrouter.js API) as one script at /sdk/taskrouter.js (readable) and
// /sdk/taskrouter.min.js: bundled by `npm run build` into the package, or in a checkout bundled with esbuild
// from the TypeScript sources the first time it is asked for (common/bundledScript.ts).
import { fileURLToPath } from 'node:url';
import type { FastifyInstance } from 'fastify';
import { serveBundledScript } from '../common/bundledScript.ts';

const ENTRY = fileURLToPath(new URL('../../../sdk/src/index.ts', import.meta.url));

export function registerBrowserSdk(app: FastifyInstance): void {
  for (const [file, minify] of [['taskrouter.js', false], ['taskrouter.min.js', true]] as const) {
    serveBundledScript(app, `/sdk/${file}`, {
      entryPoints: [ENTRY],
      format: 'iife',
      minify,
      banner: { js: '/* Switchboard taskrouter.js — Twilio.TaskRouter.Workspace, Worker, TaskQueue */' },
    });
  }
}
