// TaskRouter capability-token policies (reference §16.2) and their evaluation. A policy names a URL (exact,
// `/*` = immediate children, `/**` = the path itself or any descendant), a method, optional query/post filters and allow. For a
// request, the most specific matching rule decides (longer path first; at equal paths a rule with filters
// beats one without); no matching rule means denied. URLs in tokens are Twilio's own
// (https://taskrouter.twilio.com/v1/..., https://event-bridge.twilio.com/v1/wschannels/...), so only the path
// is compared: a token minted for Twilio works here unchanged.

export type FilterValue = string | { required?: boolean; value?: string };

export interface Policy {
  url: string;
  method: string;
  query_filter?: Record<string, FilterValue>;
  post_filter?: Record<string, FilterValue>;
  allow?: boolean;
}

export interface RequestShape {
  method: string;
  path: string; // e.g. /v1/Workspaces/WS…/Workers/WK…
  query: Record<string, string | string[]>;
  body: Record<string, string | string[]>;
}

interface Rule {
  policy: Policy;
  base: string;
  mode: 'exact' | 'children' | 'descendants';
}

function pathOf(url: string): string {
  try {
    return new URL(url).pathname.replace(/\/+$/, '');
  } catch {
    return url.replace(/\/+$/, '');
  }
}

function rule(policy: Policy): Rule {
  const path = pathOf(policy.url);
  if (path.endsWith('/**')) return { policy, base: path.slice(0, -3), mode: 'descendants' };
  if (path.endsWith('/*')) return { policy, base: path.slice(0, -2), mode: 'children' };
  return { policy, base: path, mode: 'exact' };
}

function matchesPath(r: Rule, path: string): boolean {
  if (r.mode === 'exact') return path === r.base;
  // `/**` covers the collection itself too: taskrouter.js lists `Workers/WK/Reservations` with only the default
  // worker policy `Workers/WK/Reservations/**`, so on Twilio the glob must match zero segments.
  if (r.mode === 'descendants' && path === r.base) return true;
  if (!path.startsWith(r.base + '/')) return false;
  const rest = path.slice(r.base.length + 1);
  return r.mode === 'descendants' ? rest.length > 0 : rest.length > 0 && !rest.includes('/');
}

function hasFilters(p: Policy): boolean {
  return Object.keys(p.query_filter ?? {}).length > 0 || Object.keys(p.post_filter ?? {}).length > 0;
}

/** A literal filter value means: the parameter has exactly this value, and no other parameters are sent. */
function filterPasses(filter: Record<string, FilterValue> | undefined, params: Record<string, string | string[]>): boolean {
  const entries = Object.entries(filter ?? {});
  if (entries.length === 0) return true;
  const literalOnly = entries.every(([, v]) => typeof v === 'string');
  if (literalOnly && Object.keys(params).some((k) => !(k in filter!))) return false;
  for (const [name, f] of entries) {
    const given = params[name];
    const value = Array.isArray(given) ? given[0] : given;
    if (typeof f === 'string') {
      if (value !== f) return false;
    } else {
      if (f.required && value === undefined) return false;
      if (f.value !== undefined && value !== undefined && value !== f.value) return false;
    }
  }
  return true;
}

/** Whether the policies allow the request. */
export function isAllowed(policies: readonly Policy[], req: RequestShape): boolean {
  const method = req.method.toUpperCase();
  const path = req.path.replace(/\/+$/, '');
  const candidates = policies
    .filter((p) => (p.method ?? 'GET').toUpperCase() === method)
    .map(rule)
    .filter((r) => matchesPath(r, path));
  if (candidates.length === 0) return false;
  // Most specific first: exact beats wildcard, longer base beats shorter, filters beat none.
  const specificity = (r: Rule) => r.base.length * 4 + (r.mode === 'exact' ? 2 : 0) + (hasFilters(r.policy) ? 1 : 0);
  candidates.sort((a, b) => specificity(b) - specificity(a));
  const top = specificity(candidates[0]!);
  for (const r of candidates.filter((c) => specificity(c) === top)) {
    if (filterPasses(r.policy.query_filter, req.query) && filterPasses(r.policy.post_filter, req.body)) return r.policy.allow === true;
  }
  return false;
}

const TR = 'https://taskrouter.twilio.com/v1/Workspaces';

/** What an Access Token's TaskRouter grant allows, as policies: a worker reads its workspace's activities,
 *  task channels and tasks, reads and updates itself and its reservations (through the worker or the task),
 *  and creates tasks routed to itself (twilio-taskrouter's Worker.createTask); an admin (supervisor) does
 *  anything in the workspace. */
export function grantPolicies(workspaceSid: string, workerSid: string | undefined, role: string): Policy[] {
  const ws = `${TR}/${workspaceSid}`;
  if (role === 'admin') {
    return ['GET', 'POST', 'DELETE'].flatMap((method) => [
      { url: ws, method, allow: true },
      { url: `${ws}/**`, method, allow: true },
    ]);
  }
  const policies: Policy[] = [
    { url: ws, method: 'GET', allow: true },
    { url: `${ws}/Activities`, method: 'GET', allow: true },
    { url: `${ws}/Activities/**`, method: 'GET', allow: true },
    { url: `${ws}/TaskChannels`, method: 'GET', allow: true },
    { url: `${ws}/TaskChannels/**`, method: 'GET', allow: true },
    { url: `${ws}/Tasks`, method: 'GET', allow: true },
    { url: `${ws}/Tasks/**`, method: 'GET', allow: true },
  ];
  if (workerSid) {
    const wk = `${ws}/Workers/${workerSid}`;
    policies.push(
      { url: wk, method: 'GET', allow: true },
      { url: wk, method: 'POST', allow: true },
      { url: `${wk}/**`, method: 'GET', allow: true },
      { url: `${wk}/**`, method: 'POST', allow: true },
      // A worker completes or wraps up the tasks it holds and answers their reservations through the task
      // path; the API checks that the task or reservation is the worker's own.
      { url: `${ws}/Tasks/**`, method: 'POST', allow: true },
      // Creating a task is a worker's only for itself: Worker.createTask(to, from, workflowSid, queueSid) posts
      // RoutingTarget = the worker's own SID (the exact rule wins over `/Tasks/**`, which covers the path too).
      { url: `${ws}/Tasks`, method: 'POST', post_filter: { RoutingTarget: { required: true, value: workerSid } }, allow: true },
    );
  }
  return policies;
}
