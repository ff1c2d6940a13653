// The console at /console: one HTML page, its script (web/src, Preact, bundled by esbuild on first use) and its
// stylesheet (web/src/console.css with uPlot's). It uses only what any application can: the public REST API
// with the credentials the user signs in with, and the browser SDK with tokens from POST
// /switchboard/v1/Tokens. The page holds credentials, so it is served with a strict Content-Security-Policy
// (scripts, styles and connections from this origin only; no inline script or style, no framing, no plugins)
// and helmet's other security headers.
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { fileURLToPath } from 'node:url';
import helmet from '@fastify/helmet';
import type { FastifyInstance } from 'fastify';
import { serveBundledScript } from '../common/bundledScript.ts';

const ENTRY = fileURLToPath(new URL('../../../web/src/main.tsx', import.meta.url));
const STYLESHEET = fileURLToPath(new URL('../../../web/src/console.css', import.meta.url));

/** The console's policy. 'self' covers the same-origin WebSocket of the browser SDK (CSP Level 3). No
 *  upgrade-insecure-requests: a console reached over plain HTTP (a LAN address) must keep working. */
export const CONSOLE_CSP = {
  defaultSrc: ["'self'"],
  scriptSrc: ["'self'"],
  styleSrc: ["'self'"],
  imgSrc: ["'self'", 'data:'],
  fontSrc: ["'self'"],
  connectSrc: ["'self'"],
  objectSrc: ["'none'"],
  baseUri: ["'none'"],
  formAction: ["'self'"],
  frameAncestors: ["'none'"],
};

const PAGE = `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1">
<title>Switchboard console</title><link rel="stylesheet" href="/console/app.css"></head>
<body><div id="app"></div><script src="/console/app.js"></script></body></html>`;

export function registerConsole(app: FastifyInstance): void {
  // Read once: uPlot's stylesheet, then ours (ours wins where both style the same element).
  const css = readFileSync(createRequire(import.meta.url).resolve('uplot/dist/uPlot.min.css'), 'utf8') + '\n' + readFileSync(STYLESHEET, 'utf8');
  // Its own scope, so the headers apply to the console's files and not to the API faces.
  app.register(async (scope) => {
    await scope.register(helmet, { contentSecurityPolicy: { useDefaults: false, directives: CONSOLE_CSP } });
    const page = async (_request: unknown, reply: { header(k: string, v: string): { send(body: string): unknown } }) => reply.header('content-type', 'text/html; charset=utf-8').send(PAGE);
    scope.get('/console', page);
    scope.get('/console/', page);
    scope.get('/console/app.css', async (_request, reply) => reply.header('content-type', 'text/css; charset=utf-8').header('cache-control', 'no-cache').send(css));
    serveBundledScript(scope, '/console/app.js', {
      entryPoints: [ENTRY],
      format: 'iife',
      minify: true,
      jsx: 'automatic',
      jsxImportSource: 'preact',
    });
  });
}
