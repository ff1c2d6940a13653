// Serves a browser script (the SDK, the console) bundled by esbuild from the project's TypeScript sources.
// Built package (the server runs from dist/): `npm run build` bundled every script ahead of time into
// dist/assets/<path> (scripts/build.mjs), and the server serves that file; it never bundles at run time and does
// not need esbuild installed. Checkout (the server runs from src/ through tsx): the script is bundled the first
// time it is asked for and kept in memory, so an edit shows on the next start with no build step.
// Either way the script is served from memory with an ETag.
import { createHash } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import type { FastifyInstance } from 'fastify';
import type { BuildOptions } from 'esbuild';

/** A script the server serves: its URL path and how esbuild bundles it. */
export interface BrowserBundle {
  readonly path: string;
  readonly options: BuildOptions;
}

/** Every script registered so far (the build bundles these ahead of time). */
const registered = new Map<string, BrowserBundle>();

export function registeredBundles(): BrowserBundle[] {
  return [...registered.values()];
}

/** The options every bundle shares: one file, modern browsers, no licence comments. */
export function bundleOptions(bundle: BrowserBundle): BuildOptions {
  return { bundle: true, write: false, target: 'es2022', legalComments: 'none', ...bundle.options };
}

/** Where the build puts a script: dist/assets/<path>. Resolved from this module, so src/ has none. */
export function prebuiltUrl(path: string): URL {
  return new URL(`../../assets/${path.replace(/^\/+/, '')}`, import.meta.url);
}

/** True when this code runs compiled (from dist/), where only prebuilt scripts may be served. */
const COMPILED = import.meta.url.endsWith('.js');

async function load(bundle: BrowserBundle): Promise<string> {
  if (COMPILED) {
    try {
      return await readFile(prebuiltUrl(bundle.path), 'utf8');
    } catch (err) {
      throw new Error(`${bundle.path} was not built into this package (run npm run build): ${(err as Error).message}`);
    }
  }
  const { build } = await import('esbuild');
  const result = await build(bundleOptions(bundle));
  return result.outputFiles![0]!.text;
}

export function serveBundledScript(app: FastifyInstance, path: string, options: BuildOptions): void {
  const bundle = { path, options };
  registered.set(path, bundle);
  let pending: Promise<{ code: string; etag: string }> | undefined;
  app.get(path, async (request, reply) => {
    if (!pending) {
      pending = load(bundle).then((code) => ({ code, etag: `"${createHash('sha1').update(code).digest('base64url')}"` }));
      pending.catch(() => (pending = undefined)); // a failed build or read is retried on the next request
    }
    const { code, etag } = await pending;
    reply.header('content-type', 'application/javascript; charset=utf-8').header('etag', etag).header('cache-control', 'no-cache');
    if (request.headers['if-none-match'] === etag) return reply.code(304).send();
    return reply.send(code);
  });
}
