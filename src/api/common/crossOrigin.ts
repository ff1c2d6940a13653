// Who may call the server from a page of another origin. Customers load taskrouter.js (Twilio's or ours) on pages
// of their own domain, and it posts to the v1 channel and EventBridge proxies and calls REST with a token; the
// browser lets the page read those answers only with CORS headers (and a preflight for JSON bodies and custom
// headers). So CORS is answered, preflight included, where a request carries its own token:
//
//   /v1/wschannels, /v1/wschannels/{AC}/{channel}   the proxies (the token is in the body)
//   /v1/... with X-Twilio-Token or Bearer            TaskRouter REST with a token
//   /sdk/...                                         the browser SDK (scripts loaded with crossorigin/SRI)
//
// to the origins of SWITCHBOARD_CORS_ORIGINS (default: any). Such requests carry nothing the browser adds by
// itself, so a page can only act with a token it was given; Access-Control-Allow-Credentials is never sent.
//
// Account credentials (HTTP Basic) never get CORS: a browser page should not hold an account's secret (mint a
// token for it), and a page of another origin cannot read what such a request answers. A browser may also
// remember Basic credentials from its own password dialog and send them with a form another site posts; such
// a request is refused when the browser marks it as coming from another site (Sec-Fetch-Site), unless it only
// reads (GET, HEAD).
import type { FastifyRequest } from 'fastify';
import type { FastifyCorsOptions } from '@fastify/cors';
import { ApiError } from '../../core/errors.ts';
import type { Principal } from '../../auth/basicAuth.ts';

/** The origins pages may call from: any (`*`), or exactly these (an empty list turns CORS off). */
export type CorsOrigins = '*' | readonly string[];

/** `SWITCHBOARD_CORS_ORIGINS`: `*`, `none` (or empty), or comma-separated origins (`https://app.example.com`). */
export function parseCorsOrigins(text: string): CorsOrigins {
  const value = text.trim();
  if (value === '*') return '*';
  if (value === '' || value.toLowerCase() === 'none') return [];
  return value.split(',').map((one) => {
    const origin = one.trim();
    let parsed: URL | undefined;
    try {
      parsed = new URL(origin);
    } catch {
      parsed = undefined;
    }
    if (!parsed || parsed.origin !== origin || !/^https?:$/.test(parsed.protocol)) {
      throw new Error(`invalid CORS origin: ${origin || '(empty)'} (scheme://host[:port], no path; or * for any, none for no CORS)`);
    }
    return origin;
  });
}

/** Response headers a page may read: versions, rate limits, retry hints, what a request ignored. */
const EXPOSED_HEADERS = ['ETag', 'Retry-After', 'X-Rate-Limit-Limit', 'X-Rate-Limit-Remaining', 'X-Rate-Limit-Config', 'X-Switchboard-Ignored-Parameters'];

function carriesToken(request: FastifyRequest): boolean {
  return request.headers['x-twilio-token'] !== undefined || /^Bearer\s/i.test(request.headers.authorization ?? '');
}

type Eligibility = 'no' | 'yes' | 'withToken';

function eligibility(path: string): Eligibility {
  if (path === '/v1/wschannels' || path.startsWith('/v1/wschannels/') || path.startsWith('/sdk/')) return 'yes';
  if (path.startsWith('/v1/')) return 'withToken';
  return 'no';
}

/** The per-request options of @fastify/cors (its `delegator`): CORS for the requests above, none for the rest. */
export function corsDelegator(origins: CorsOrigins): (request: FastifyRequest, callback: (error: Error | null, options: FastifyCorsOptions) => void) => void {
  const off: FastifyCorsOptions = { origin: false };
  const on: FastifyCorsOptions = {
    origin: origins === '*' ? '*' : [...origins],
    methods: ['GET', 'HEAD', 'POST', 'DELETE'],
    // allowedHeaders left unset: the headers a preflight asks for are allowed (the v2 SDK sends apiVersion and
    // clientVersion); none of them carries anything the browser adds by itself.
    exposedHeaders: EXPOSED_HEADERS,
    maxAge: 600,
    credentials: false,
  };
  return (request, callback) => {
    if (origins !== '*' && origins.length === 0) return callback(null, off);
    const path = request.url.split('?')[0]!;
    const kind = eligibility(path);
    if (kind === 'no') return callback(null, off);
    if (request.method === 'OPTIONS') {
      // Only a real preflight: anything else asking OPTIONS gets the 404 every other unknown route gets.
      const preflight = request.headers.origin !== undefined && request.headers['access-control-request-method'] !== undefined;
      return callback(null, preflight ? on : off);
    }
    // A request's answer is readable by the page only when the request carried its own token.
    callback(null, kind === 'yes' || carriesToken(request) ? on : off);
  };
}

/** Refuses a state-changing browser request with account credentials that another site's page made. */
export function refuseCrossSiteAccountCredentials(request: FastifyRequest, principal: Principal): void {
  if (principal.credential.kind === 'token' || request.method === 'GET' || request.method === 'HEAD') return;
  const site = request.headers['sec-fetch-site'];
  if (site === 'cross-site' || site === 'same-site') {
    throw new ApiError('forbidden', 'Account credentials are not accepted from a page of another site; give the page a token (X-Twilio-Token) instead');
  }
}
