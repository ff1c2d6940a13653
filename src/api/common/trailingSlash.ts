// Twilio answers `/v1/Workspaces/WS…/` exactly as `/v1/Workspaces/WS…` (taskrouter.js v1 addresses the
// workspace that way for its ready, update and delete). Every path loses its trailing slashes before routing,
// so routes, policy checks, cluster forwarding and paging URLs all see the one canonical path.
export function withoutTrailingSlash(url: string): string {
  const q = url.indexOf('?');
  const path = q === -1 ? url : url.slice(0, q);
  if (path.length <= 1 || !path.endsWith('/')) return url;
  const trimmed = path.replace(/\/+$/, '') || '/';
  return q === -1 ? trimmed : trimmed + url.slice(q);
}
