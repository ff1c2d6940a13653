// Twilio.TaskRouter.TaskQueue(token, debug, region, maxRetries, apiBaseUrl, eventBridgeBaseUrl): one queue, its
// channel's events (task-queue.*, task.* of tasks in it), update/delete and its statistics.
import { ChannelClient } from './client.ts';
import { camelize, StatisticsResource } from './resources.ts';

export class TaskQueue extends ChannelClient {
  declare readonly statistics: StatisticsResource;
  declare readonly cumulativeStats: StatisticsResource;
  declare readonly realtimeStats: StatisticsResource;

  constructor(token: string, debug?: boolean | null, region?: string | null, maxRetries?: number | null, apiBaseUrl?: string | null, eventBridgeBaseUrl?: string | null) {
    super({ token, debug, region, maxRetries, apiBaseUrl, eventBridgeBaseUrl }, (channel) => {
      if (!channel.info.channel.startsWith('WQ')) throw new Error('Twilio.TaskRouter.TaskQueue: the token channel must be a task queue SID (WQ…)');
      return `Workspaces/${channel.info.workspaceSid}/TaskQueues/${channel.info.channel}`;
    });
    const base = this.resourcePath;
    const hidden = (name: string, value: unknown) => Object.defineProperty(this, name, { enumerable: false, value });
    hidden('statistics', new StatisticsResource(this.channel, `${base}/Statistics`));
    hidden('cumulativeStats', new StatisticsResource(this.channel, `${base}/CumulativeStatistics`));
    hidden('realtimeStats', new StatisticsResource(this.channel, `${base}/RealTimeStatistics`));
    this.sid = this.channel.info.channel;
    this.channel.connect();
  }

  protected onEvent(eventType: string, payload: unknown): void {
    if (eventType.startsWith('task-queue.') && payload && typeof payload === 'object' && (payload as { sid?: string }).sid === this.sid) this.assign(payload);
    this.emit(eventType, camelize(payload));
  }
}
