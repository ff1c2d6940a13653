// One channel of the legacy taskrouter.js protocol (reference §18), as served by Switchboard:
//   HTTP  POST {eventBridgeBaseUrl}/v1/wschannels/{AccountSid}/{channel}  {url, method, params, token[, event_type]}
//         -> 200 {payload[, event_type]} | error {code, message, status}
//   WS    {eventBridgeBaseUrl → ws}/v1/wschannels/{AccountSid}/{channel}?token=..&closeExistingSessions=..
//         -> {event_type, payload} frames, whitespace frames as heartbeats.
// The socket reconnects after an unexpected close with backoff min(30, 2^k − 1) s, as taskrouter.js does, and
// `token.expired` fires 5 s before the token's exp.
import type { Emitter } from './emitter.ts';
import { readToken, type TokenInfo } from './token.ts';

export interface ChannelOptions {
  token: string;
  debug?: boolean;
  maxRetries?: number;
  apiBaseUrl: string;
  eventBridgeBaseUrl: string;
  closeExistingSessions?: boolean;
  disconnectActivitySid?: string | null;
}

export type Params = Record<string, unknown>;

export interface ChannelHandlers {
  onOpen(): void;
  onMessage(eventType: string, payload: any): void;
}

/** The error a callback receives: TaskRouter's code and message, and the HTTP status (0 for network errors). */
export class TaskRouterError extends Error {
  readonly code: number;
  readonly status: number;
  readonly moreInfo?: string;
  constructor(code: number, message: string, status: number, moreInfo?: string) {
    super(message);
    this.name = 'TaskRouterError';
    this.code = code;
    this.status = status;
    this.moreInfo = moreInfo;
  }
}

const REQUEST_TIMEOUT_MS = 5000;
/** Three heartbeats (15 s apart) missed: the connection is dead even if the socket has not noticed. */
const SILENCE_LIMIT_MS = 60_000;

export class Channel {
  info: TokenInfo;
  private token: string;
  private socket: WebSocket | null = null;
  private closedByUser = false;
  private attempts = 0;
  private reconnectTimer: ReturnType<typeof setTimeout> | undefined;
  private silenceTimer: ReturnType<typeof setTimeout> | undefined;
  private expiryTimer: ReturnType<typeof setTimeout> | undefined;

  private readonly options: ChannelOptions;
  private readonly events: Emitter;
  private readonly handlers: ChannelHandlers;

  constructor(options: ChannelOptions, events: Emitter, handlers: ChannelHandlers) {
    this.options = options;
    this.events = events;
    this.handlers = handlers;
    this.token = options.token;
    this.info = readToken(options.token);
    this.armExpiry();
  }

  get currentToken(): string {
    return this.token;
  }

  /** The absolute API URL of a path under /v1 (`Workspaces/WS…/Workers`). */
  apiUrl(path: string): string {
    return `${this.options.apiBaseUrl.replace(/\/+$/, '')}/${path.replace(/^\/+/, '')}`;
  }

  private channelUrl(): string {
    return `${this.options.eventBridgeBaseUrl.replace(/\/+$/, '')}/v1/wschannels/${this.info.accountSid}/${this.info.channel}`;
  }

  private log(...args: unknown[]): void {
    if (this.options.debug) console.log('[Twilio.TaskRouter]', ...args);
  }

  /** One API call through the channel proxy; resolves to the REST payload. Retries network errors and 5xx. */
  async request(method: 'GET' | 'POST' | 'DELETE', urlOrPath: string, params?: Params, eventType?: string): Promise<any> {
    const url = /^https?:\/\//.test(urlOrPath) ? urlOrPath : this.apiUrl(urlOrPath);
    const body = JSON.stringify({ url, method, params: params ?? {}, token: this.token, ...(eventType ? { event_type: eventType } : {}) });
    for (let attempt = 0; ; attempt++) {
      const controller = new AbortController();
      const timer = setTimeout(() => controller.abort(), REQUEST_TIMEOUT_MS);
      let status = 0;
      let answer: any;
      try {
        const res = await fetch(this.channelUrl(), { method: 'POST', headers: { 'content-type': 'application/json' }, body, signal: controller.signal });
        status = res.status;
        const text = await res.text();
        answer = text ? JSON.parse(text) : {};
      } catch (err) {
        answer = { code: 0, message: `Request failed: ${(err as Error).message}` };
      } finally {
        clearTimeout(timer);
      }
      if (status === 200) {
        if (answer.event_type && answer.event_type !== eventType) this.events.emit(answer.event_type, answer.payload);
        return answer.payload;
      }
      const retriable = status === 0 || status >= 500;
      if (!retriable || attempt >= (this.options.maxRetries ?? 0)) {
        this.log('request failed', method, url, status, answer);
        throw new TaskRouterError(Number(answer.code) || status, String(answer.message ?? `HTTP ${status}`), status, answer.more_info);
      }
    }
  }

  connect(): void {
    this.closedByUser = false;
    const query = new URLSearchParams({ token: this.token, closeExistingSessions: String(!!this.options.closeExistingSessions) });
    if (this.options.disconnectActivitySid) query.set('disconnectActivitySid', this.options.disconnectActivitySid);
    const socket = new WebSocket(`${this.channelUrl().replace(/^http/, 'ws')}?${query}`);
    this.socket = socket;
    socket.onopen = () => {
      this.attempts = 0;
      this.log('connected', this.info.channel);
      this.feedWatchdog();
      this.events.emit('connected');
      this.handlers.onOpen();
    };
    socket.onmessage = (message) => {
      this.feedWatchdog();
      const text = typeof message.data === 'string' ? message.data : '';
      if (!text.trim()) return; // heartbeat
      let frame: { event_type?: string; payload?: unknown };
      try {
        frame = JSON.parse(text);
      } catch {
        return;
      }
      if (typeof frame.event_type === 'string') this.handlers.onMessage(frame.event_type, frame.payload);
    };
    socket.onclose = (event) => {
      if (this.socket !== socket) return;
      this.socket = null;
      clearTimeout(this.silenceTimer);
      this.log('disconnected', event.code, event.reason);
      this.events.emit('disconnected', { code: event.code, reason: event.reason });
      // 4000: a newer session of this worker took over (closeExistingSessions); reconnecting would fight it.
      if (!this.closedByUser && event.code !== 4000) this.scheduleReconnect();
    };
    socket.onerror = () => {
      this.events.emit('error', new TaskRouterError(0, 'WebSocket error', 0));
    };
  }

  private scheduleReconnect(): void {
    this.attempts++;
    const delay = Math.min(30, 2 ** this.attempts - 1) * 1000;
    this.log(`reconnecting in ${delay} ms`);
    this.reconnectTimer = setTimeout(() => this.connect(), delay);
  }

  private feedWatchdog(): void {
    clearTimeout(this.silenceTimer);
    this.silenceTimer = setTimeout(() => this.socket?.close(), SILENCE_LIMIT_MS);
  }

  private armExpiry(): void {
    clearTimeout(this.expiryTimer);
    if (this.info.expiresAt === undefined) return;
    const delay = Math.max(0, this.info.expiresAt - Date.now() - 5000);
    // setTimeout cannot wait longer than 2^31 − 1 ms; such a token never needs the warning in one page life.
    if (delay < 2 ** 31 - 1) this.expiryTimer = setTimeout(() => this.events.emit('token.expired'), delay);
  }

  updateToken(token: string): void {
    const info = readToken(token);
    if (info.channel !== this.info.channel) throw new Error('Twilio.TaskRouter: the new token is for another channel');
    this.token = token;
    this.info = info;
    this.armExpiry();
  }

  disconnect(): void {
    this.closedByUser = true;
    clearTimeout(this.reconnectTimer);
    clearTimeout(this.silenceTimer);
    clearTimeout(this.expiryTimer);
    this.socket?.close(1000, 'disconnect()');
  }
}
