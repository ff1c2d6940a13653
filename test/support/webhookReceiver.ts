// A webhook receiver on a loopback port that records every request (path, headers, form parameters) and
// answers as the test tells it to (status, body, delay), for callback tests.
import { createServer, type IncomingMessage, type Server } from 'node:http';

export interface ReceivedRequest {
  path: string;
  headers: IncomingMessage['headers'];
  params: Record<string, string>;
  /** The raw body (JSON posts). */
  body: string;
}

export interface Answer {
  status?: number;
  body?: string;
  delayMs?: number;
}

export interface WebhookReceiver {
  origin: string;
  received: ReceivedRequest[];
  /** How to answer the next requests, by path (default: 204 with no body). */
  answer: (path: string, request: ReceivedRequest) => Answer;
  waitFor(predicate: (all: ReceivedRequest[]) => boolean, ms?: number): Promise<void>;
  close(): Promise<void>;
}

export async function startReceiver(): Promise<WebhookReceiver> {
  const receiver: WebhookReceiver = {
    origin: '',
    received: [],
    answer: () => ({ status: 204 }),
    async waitFor(predicate, ms = 10_000) {
      const deadline = Date.now() + ms;
      while (!predicate(receiver.received)) {
        if (Date.now() > deadline) throw new Error(`receiver: condition not met within ${ms} ms (${receiver.received.length} requests)`);
        await new Promise((r) => setTimeout(r, 20));
      }
    },
    close: () =>
      new Promise((resolve) => {
        // A delayed answer's timer would hold the test process open until it fired (30 s in the limits test).
        for (const timer of delayed) clearTimeout(timer);
        delayed.clear();
        server.close(() => resolve());
        server.closeAllConnections();
      }),
  };
  const delayed = new Set<NodeJS.Timeout>();
  const server: Server = createServer((req, res) => {
    let body = '';
    req.on('data', (d) => (body += d));
    req.on('end', () => {
      const record: ReceivedRequest = { path: req.url ?? '/', headers: req.headers, params: Object.fromEntries(new URLSearchParams(body)), body };
      receiver.received.push(record);
      const a = receiver.answer(record.path, record);
      const respond = () => {
        if (res.destroyed) return;
        res.writeHead(a.status ?? 204, a.body ? { 'content-type': 'application/json' } : {});
        res.end(a.body ?? '');
      };
      if (a.delayMs) {
        const timer = setTimeout(() => {
          delayed.delete(timer);
          respond();
        }, a.delayMs);
        delayed.add(timer);
      } else respond();
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', () => resolve()));
  receiver.origin = `http://127.0.0.1:${(server.address() as { port: number }).port}`;
  // Delayed answers must not keep the test process alive after close.
  server.unref();
  return receiver;
}
