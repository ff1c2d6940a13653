// Twilio answers `/v1/Workspaces/WS…/` exactly as `/v1/Workspaces/WS…` (taskrouter.js v1 addresses the
// workspace that way for its ready, update and delete). Every API path loses its trailing slashes before
// routing, so routes, policy checks, cluster forwarding and paging URLs all see the one canonical path. Pages
// (the API reference at /docs/, the console) keep theirs: a page's relative links resolve against it.
const API_PREFIXES = ['/v1/', '/2010-04-01/', '/switchboard/', '/api/', '/opsflow/'];

export function withoutTrailingSlash(url: string): string {
  const q = url.indexOf('?');
  const path = q === -1 ? url : url.slice(0, q);
  if (path.length <= 1 || !path.endsWith('/') || !API_PREFIXES.some((p) => path.startsWith(p))) return url;
  const trimmed = path.replace(/\/+$/, '') || '/';
  return q === -1 ? trimmed : trimmed + url.slice(q);
}
