// Browser tests: Debian's Chromium through playwright-core, and a second local origin to load pages from (a
// customer's own site), so that what a page asks of the server is a cross-origin request, CORS and all.
import { existsSync } from 'node:fs';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { chromium, type Browser } from 'playwright-core';

export const CHROMIUM = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';

/** CI installs Chromium (.ci/run); a developer machine without it skips browser tests rather than failing. */
export const skipWithoutChromium: string | false = !existsSync(CHROMIUM) && !process.env.CI ? `no Chromium at ${CHROMIUM} (apt-get install chromium)` : false;

export function launchChromium(): Promise<Browser> {
  return chromium.launch({ executablePath: CHROMIUM, args: ['--no-sandbox'] });
}

export interface PageServer {
  /** `http://127.0.0.1:PORT`: another port, so another origin than the Switchboard server's. */
  origin: string;
  close(): Promise<void>;
}

/** Serves these paths (content type and body) and nothing else, on a free loopback port. */
export async function startPageServer(files: Record<string, { type: string; body: string }>): Promise<PageServer> {
  const server = createServer((req, res) => {
    const file = files[(req.url ?? '/').split('?')[0]!];
    if (!file) {
      res.writeHead(404, { 'content-type': 'text/plain' }).end('not found');
      return;
    }
    res.writeHead(200, { 'content-type': file.type, 'cache-control': 'no-store' }).end(file.body);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    origin: `http://127.0.0.1:${port}`,
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}
