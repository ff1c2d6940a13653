// A bare HTTP/1.1 client for tests that must control the bytes on the wire or the moment a request is sent:
// raw paths that fetch() would normalise (`/../`), invalid UTF-8 bodies, malformed headers, and requests whose
// bytes are known to have left the process before the server is killed.
import { request as httpRequest } from 'node:http';
import { connect } from 'node:net';
import { formEncode } from './server.ts';

export interface WireResponse {
  status: number;
  headers: Record<string, string | string[] | undefined>;
  text: string;
  body: any;
}

export interface WireRequest {
  /** Resolves once the whole request has been handed to the operating system. */
  sent: Promise<void>;
  /** The response, or undefined if the connection failed or closed without one. */
  response: Promise<WireResponse | undefined>;
}

export function basicAuth(username: string, password: string): string {
  return 'Basic ' + Buffer.from(`${username}:${password}`).toString('base64');
}

function parse(text: string): any {
  try {
    return text ? JSON.parse(text) : undefined;
  } catch {
    return undefined;
  }
}

/** Sends one request on its own connection; `path` goes on the wire exactly as given. */
export function send(
  origin: string,
  method: string,
  path: string,
  options: { headers?: Record<string, string>; body?: Buffer | string; form?: Record<string, string> } = {},
): WireRequest {
  const url = new URL(origin);
  const headers: Record<string, string> = { ...(options.headers ?? {}) };
  let body = options.body;
  if (options.form) {
    body = formEncode(options.form);
    headers['content-type'] ??= 'application/x-www-form-urlencoded';
  }
  if (body !== undefined) headers['content-length'] = String(Buffer.byteLength(body));
  const req = httpRequest({ host: url.hostname, port: url.port, method, path, headers, agent: false });
  const sent = new Promise<void>((resolve) => {
    req.once('finish', () => resolve());
    req.once('error', () => resolve());
  });
  const response = new Promise<WireResponse | undefined>((resolve) => {
    req.once('error', () => resolve(undefined));
    req.once('response', (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (c: Buffer) => chunks.push(c));
      res.once('error', () => resolve(undefined));
      res.once('aborted', () => resolve(undefined));
      res.once('end', () => {
        const text = Buffer.concat(chunks).toString('utf8');
        resolve({ status: res.statusCode!, headers: res.headers, text, body: parse(text) });
      });
    });
  });
  req.end(body);
  return { sent, response };
}

/** Convenience: send and wait for the response (throws if there is none). */
export async function call(
  origin: string,
  method: string,
  path: string,
  options: Parameters<typeof send>[3] = {},
): Promise<WireResponse> {
  const res = await send(origin, method, path, options).response;
  if (!res) throw new Error(`${method} ${path}: no response`);
  return res;
}

/** Writes raw bytes on a fresh connection and returns the parsed HTTP response (status, headers, body). */
export function rawExchange(origin: string, bytes: Buffer | string, waitMs = 2000): Promise<WireResponse | undefined> {
  const url = new URL(origin);
  return new Promise((resolve) => {
    const socket = connect(Number(url.port), url.hostname);
    const chunks: Buffer[] = [];
    const timer = setTimeout(() => socket.destroy(), waitMs);
    socket.on('data', (c: Buffer) => chunks.push(c));
    socket.on('error', () => undefined);
    socket.on('close', () => {
      clearTimeout(timer);
      const raw = Buffer.concat(chunks).toString('utf8');
      const m = /^HTTP\/1\.[01] (\d{3})[^\r\n]*\r\n([\s\S]*?)\r\n\r\n([\s\S]*)$/.exec(raw);
      if (!m) return resolve(undefined);
      const headers: Record<string, string> = {};
      for (const line of m[2]!.split('\r\n')) {
        const i = line.indexOf(':');
        if (i > 0) headers[line.slice(0, i).toLowerCase()] = line.slice(i + 1).trim();
      }
      const text = m[3]!;
      resolve({ status: Number(m[1]), headers, text, body: parse(text) });
    });
    socket.write(bytes);
  });
}
