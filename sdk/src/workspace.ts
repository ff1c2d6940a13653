// Twilio.TaskRouter.Workspace(token, debug, region, maxRetries, apiBaseUrl, eventBridgeBaseUrl): a supervisor's
// handle on a workspace — its list resources, statistics, update/delete, and the workspace channel's events
// (task.created, worker.activity.update, … as camelCased resources).
import { ChannelClient } from './client.ts';
import { camelize, ListResource, ListResourceWithStatistics, StatisticsResource } from './resources.ts';

export class Workspace extends ChannelClient {
  declare readonly activities: ListResource;
  declare readonly workflows: ListResource;
  declare readonly taskqueues: ListResourceWithStatistics;
  declare readonly workers: ListResourceWithStatistics;
  declare readonly tasks: ListResource;
  declare readonly taskchannels: ListResource;
  declare readonly events: ListResource;
  declare readonly statistics: StatisticsResource;
  declare readonly cumulativeStats: StatisticsResource;
  declare readonly realtimeStats: StatisticsResource;

  constructor(token: string, debug?: boolean | null, region?: string | null, maxRetries?: number | null, apiBaseUrl?: string | null, eventBridgeBaseUrl?: string | null) {
    super({ token, debug, region, maxRetries, apiBaseUrl, eventBridgeBaseUrl }, (channel) => `Workspaces/${channel.info.workspaceSid}`);
    const base = this.resourcePath;
    const hidden = (name: string, value: unknown) => Object.defineProperty(this, name, { enumerable: false, value });
    hidden('activities', new ListResource(this.channel, `${base}/Activities`));
    hidden('workflows', new ListResource(this.channel, `${base}/Workflows`));
    hidden('taskqueues', new ListResourceWithStatistics(this.channel, `${base}/TaskQueues`));
    hidden('workers', new ListResourceWithStatistics(this.channel, `${base}/Workers`));
    hidden('tasks', new ListResource(this.channel, `${base}/Tasks`));
    hidden('taskchannels', new ListResource(this.channel, `${base}/TaskChannels`));
    hidden('events', new ListResource(this.channel, `${base}/Events`));
    hidden('statistics', new StatisticsResource(this.channel, `${base}/Statistics`));
    hidden('cumulativeStats', new StatisticsResource(this.channel, `${base}/CumulativeStatistics`));
    hidden('realtimeStats', new StatisticsResource(this.channel, `${base}/RealTimeStatistics`));
    this.sid = this.workspaceSid;
    this.channel.connect();
  }

  protected onEvent(eventType: string, payload: unknown): void {
    this.emit(eventType, camelize(payload));
  }
}
