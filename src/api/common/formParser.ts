// Strict application/x-www-form-urlencoded decoding. Lenient parsers keep a broken escape like `%ZZ` as
// literal text or turn invalid UTF-8 into U+FFFD, silently storing something the client never meant; here
// either is a 400 (20001). Repeated keys become arrays, in order. The result has no prototype, so keys such
// as `__proto__` are ordinary (and then ignored as parameters no endpoint takes).
import { invalid } from '../../core/errors.ts';

const BAD_ESCAPE = /%(?![0-9A-Fa-f]{2})/;

function decode(component: string): string {
  if (BAD_ESCAPE.test(component)) throw invalid('Request body is not valid form encoding: malformed percent-escape');
  try {
    return decodeURIComponent(component.replace(/\+/g, ' '));
  } catch {
    throw invalid('Request body is not valid form encoding: percent-escapes are not valid UTF-8');
  }
}

export function parseForm(body: string): Record<string, string | string[]> {
  // Raw (unescaped) bytes that were not UTF-8 arrive as U+FFFD after the body is read as text.
  if (body.includes('\uFFFD')) throw invalid('Request body is not valid UTF-8');
  const out: Record<string, string | string[]> = Object.create(null);
  if (body === '') return out;
  for (const pair of body.split('&')) {
    if (pair === '') continue;
    const eq = pair.indexOf('=');
    const key = decode(eq < 0 ? pair : pair.slice(0, eq));
    const value = eq < 0 ? '' : decode(pair.slice(eq + 1));
    const existing = out[key];
    if (existing === undefined) out[key] = value;
    else if (Array.isArray(existing)) existing.push(value);
    else out[key] = [existing, value];
  }
  return out;
}

/** Marks a query string that failed to decode. The router's query parser must not throw (an exception there
 *  escapes fastify and ends the process), so the failure is carried on the result and raised by a hook. */
export const INVALID_QUERY = Symbol('invalidQuery');

export function parseQuery(query: string): Record<string, string | string[]> {
  try {
    return parseForm(query);
  } catch (err) {
    const marked: Record<string | symbol, unknown> = Object.create(null);
    marked[INVALID_QUERY] = err instanceof Error ? err.message.replace('Request body', 'Query string') : 'Query string is not valid';
    return marked as Record<string, string | string[]>;
  }
}

export function queryError(query: unknown): string | undefined {
  return query && typeof query === 'object' ? ((query as Record<symbol, string>)[INVALID_QUERY] ?? undefined) : undefined;
}
