// A queue's pending tasks, one ordered list per task channel. A worker looks for work only on the channels where
// it has room: a worker busy on `default` but free on `voice` must not walk past every waiting `default` task
// to learn that none fits (with thousands waiting, that walk was most of a completion's cost). Within a channel
// the list is in the queue's order, so the head of each list is that channel's best task.
import { SortedList } from './sortedList.ts';
import type { TaskState } from './state.ts';

export class PendingTasks {
  private readonly byChannel = new Map<string, SortedList<TaskState>>();
  private readonly order: (a: TaskState, b: TaskState) => number;
  constructor(order: (a: TaskState, b: TaskState) => number) {
    this.order = order;
  }

  insert(ts: TaskState): void {
    const channel = ts.entity.taskChannelSid;
    let list = this.byChannel.get(channel);
    if (!list) {
      list = new SortedList(this.order);
      this.byChannel.set(channel, list);
    }
    list.insert(ts);
  }

  remove(ts: TaskState): boolean {
    const channel = ts.entity.taskChannelSid;
    const list = this.byChannel.get(channel);
    // An emptied list stays: a queue whose tasks are reserved as they arrive would otherwise make a list and a
    // map entry for each task and drop them again.
    return list?.remove(ts) ?? false;
  }

  /** The channels that have had waiting tasks (a channel's list may be empty now). */
  channels(): Iterable<string> {
    return this.byChannel.keys();
  }

  /** The channel's waiting tasks, best first. */
  onChannel(channelSid: string): Iterable<TaskState> {
    return this.byChannel.get(channelSid) ?? [];
  }

  /** Every waiting task in the queue's order, whatever its channel (statistics and tests; not the hot path). */
  all(): TaskState[] {
    return [...this.byChannel.values()].flatMap((list) => [...list]).sort(this.order);
  }
}
