// What Workspace, Worker and TaskQueue share: the channel for their token, the server to talk to (by default
// the server this script was loaded from), `ready` with the resource on every (re)connect, updateToken.
import { Channel, type ChannelOptions } from './channel.ts';
import { Emitter } from './emitter.ts';
import { apiParams, camelize, settle, updateArgs, type Callback } from './resources.ts';

/** The origin that served taskrouter.js, read once while the script runs (currentScript is null later). */
const scriptOrigin: string = (() => {
  const src = typeof document !== 'undefined' ? (document.currentScript as HTMLScriptElement | null)?.src : undefined;
  if (src) return new URL(src).origin;
  return typeof location !== 'undefined' ? location.origin : 'http://localhost:4010';
})();

export interface ClientSettings {
  token: string;
  debug?: boolean | null;
  region?: string | null;
  maxRetries?: number | null;
  apiBaseUrl?: string | null;
  eventBridgeBaseUrl?: string | null;
  closeExistingSessions?: boolean;
  disconnectActivitySid?: string | null;
}

export abstract class ChannelClient extends Emitter {
  [property: string]: any;
  protected declare readonly channel: Channel;
  /** The resource path under /v1 this client stands for (`Workspaces/WS…/Workers/WK…`). */
  protected declare readonly resourcePath: string;

  constructor(settings: ClientSettings, resourcePath: (channel: Channel) => string) {
    super();
    if (settings.region) {
      // taskrouter.js rewrites the EventBridge host for a region; a self-hosted server has one address.
      if (settings.debug) console.log('[Twilio.TaskRouter] region ignored: Switchboard serves every region itself');
    }
    const options: ChannelOptions = {
      token: settings.token,
      debug: !!settings.debug,
      maxRetries: settings.maxRetries ?? 0,
      apiBaseUrl: settings.apiBaseUrl ?? `${scriptOrigin}/v1`,
      eventBridgeBaseUrl: settings.eventBridgeBaseUrl ?? scriptOrigin,
      closeExistingSessions: settings.closeExistingSessions,
      disconnectActivitySid: settings.disconnectActivitySid,
    };
    const channel = new Channel(options, this, { onOpen: () => this.onOpen(), onMessage: (type, payload) => this.onEvent(type, payload) });
    Object.defineProperty(this, 'channel', { enumerable: false, value: channel });
    Object.defineProperty(this, 'resourcePath', { enumerable: false, value: resourcePath(channel) });
    this.workspaceSid = channel.info.workspaceSid;
    this.accountSid = channel.info.accountSid;
  }

  /** On every (re)connect: fetch the resource through the channel as `ready` and refresh this object. */
  protected onOpen(): void {
    this.channel
      .request('GET', this.resourcePath, undefined, 'ready')
      .then((payload) => {
        this.assign(payload);
        this.emit('ready', this);
        return this.afterReady();
      })
      .catch((err: Error) => this.emit('error', err));
  }

  protected afterReady(): Promise<void> | void {}

  protected abstract onEvent(eventType: string, payload: any): void;

  protected assign(payload: unknown): void {
    Object.assign(this, camelize(payload));
  }

  /** fetch(cb): reads this client's resource again and refreshes it. */
  fetch(callback?: Callback<this>): Promise<this> {
    return settle(async () => {
      this.assign(await this.channel.request('GET', this.resourcePath));
      return this;
    }, callback);
  }

  /** update(key, value, cb) | update(params, cb): updates this client's resource and refreshes it. */
  update(...args: unknown[]): Promise<this> {
    const [params, callback] = updateArgs(args);
    return settle(async () => {
      this.assign(await this.channel.request('POST', this.resourcePath, apiParams(params)));
      return this;
    }, callback);
  }

  delete(callback?: Callback<null>): Promise<null> {
    return settle(async () => {
      await this.channel.request('DELETE', this.resourcePath);
      return null;
    }, callback);
  }

  /** A token for another channel is refused with an `error` event (the current token stays). */
  updateToken(token: string): void {
    try {
      this.channel.updateToken(token);
    } catch (err) {
      this.emit('error', err);
    }
  }

  disconnect(): void {
    this.channel.disconnect();
  }
}
