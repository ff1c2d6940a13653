// The HTTP client webhooks are sent with: node:http(s) over keep-alive agents of the dispatcher's own. Event
// callbacks go out one at a time in log order, so a receiver's throughput is one round trip per event; fetch()
// with a timeout and a stop signal (AbortSignal.any) cost 390 to 610 µs of wall time per sequential request to a
// loopback receiver against 200 µs for node:http, and 2 to 3 times the CPU (the full `npm run chaos` logs ~650
// events/s and its receiver fell behind). Redirects are not followed (Twilio does not follow them either), and
// an answer is read up to a bound.
import { Agent as HttpAgent, request as httpRequest, type IncomingMessage } from 'node:http';
import { Agent as HttpsAgent, request as httpsRequest } from 'node:https';

export type CallbackAnswer = { ok: true; status: number; body: string } | { ok: false; error: string };

export class CallbackClient {
  private readonly http = new HttpAgent({ keepAlive: true });
  private readonly https = new HttpsAgent({ keepAlive: true });
  private readonly inFlight = new Set<() => void>();
  private closed = false;
  private readonly maxAnswerBytes: number;

  constructor(maxAnswerBytes: number) {
    this.maxAnswerBytes = maxAnswerBytes;
  }

  /** POSTs a form body; answers with the status and the body (its first maxAnswerBytes), or why there is none:
   *  a network error, no answer within `timeoutMs`, or the client closed meanwhile. Never rejects. */
  post(url: string, headers: Record<string, string>, body: string, timeoutMs: number): Promise<CallbackAnswer> {
    let target: URL;
    try {
      target = new URL(url);
    } catch {
      return Promise.resolve({ ok: false, error: `not a URL: ${url}` });
    }
    if (target.protocol !== 'http:' && target.protocol !== 'https:') return Promise.resolve({ ok: false, error: `unsupported URL scheme ${target.protocol}` });
    if (this.closed) return Promise.resolve({ ok: false, error: 'the dispatcher stopped' });
    const secure = target.protocol === 'https:';
    return new Promise((resolve) => {
      let settled = false;
      const finish = (answer: CallbackAnswer) => {
        if (settled) return;
        settled = true;
        clearTimeout(timer);
        this.inFlight.delete(cancel);
        resolve(answer);
      };
      const onAnswer = (res: IncomingMessage) => {
        const chunks: Buffer[] = [];
        let size = 0;
        res.on('data', (chunk: Buffer) => {
          if (size >= this.maxAnswerBytes) return; // read on (the connection is reused), keep nothing
          chunks.push(chunk);
          size += chunk.length;
        });
        res.on('end', () => finish({ ok: true, status: res.statusCode ?? 0, body: Buffer.concat(chunks).toString('utf8').slice(0, this.maxAnswerBytes) }));
        res.on('error', (err) => finish({ ok: false, error: err.message }));
      };
      const options = { method: 'POST', agent: secure ? this.https : this.http, headers: { ...headers, 'content-length': String(Buffer.byteLength(body)) } };
      const req = secure ? httpsRequest(target, options, onAnswer) : httpRequest(target, options, onAnswer);
      const cancel = () => {
        req.destroy();
        finish({ ok: false, error: 'the dispatcher stopped' });
      };
      const timer = setTimeout(() => {
        req.destroy();
        finish({ ok: false, error: `no answer within ${timeoutMs} ms` });
      }, timeoutMs);
      timer.unref();
      this.inFlight.add(cancel);
      req.on('error', (err) => finish({ ok: false, error: err.message }));
      req.end(body);
    });
  }

  /** Ends the requests in flight (their answers say so) and the kept-alive connections. */
  close(): void {
    this.closed = true;
    for (const cancel of [...this.inFlight]) cancel();
    this.http.destroy();
    this.https.destroy();
  }
}
