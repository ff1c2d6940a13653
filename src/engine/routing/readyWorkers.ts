// A queue's members who can take a task now, one list per task channel, each longest idle first. A worker is in
// channel C's list while it can take a task on C (an available activity, room on C, and in a single-tasking
// workspace nothing held: WorkerState.readyOn), so a routing decision for a task on C reads the head of C's list.
// With one list for every channel (a worker with room on any channel), a task walked past every worker full on
// its channel but free on another: with 1,000 workers of five channels and tasks arriving faster than they
// finished, each decision read 60 to 80 workers, more as more of them filled (bench:realtime, counted). The
// mirror of PendingTasks, which keeps a worker from walking past tasks of channels it has no room on.
//
// A channel's list is made the first time a task on that channel is routed in the queue, from the members, and
// kept from then on: a worker's five default channels in five lists made every idle-order change five moves
// instead of one (bench:engine 15% slower), for channels most queues never see a task on.
import { idleOrder } from './ordering.ts';
import { SortedList } from './sortedList.ts';
import type { RouterState, WorkerState } from './state.ts';

export class ReadyWorkers {
  private readonly byChannel = new Map<string, SortedList<WorkerState>>();

  /** The members (SIDs in `members`) ready on a channel, longest idle first. */
  on(channelSid: string, s: RouterState, members: Iterable<string>): SortedList<WorkerState> {
    let list = this.byChannel.get(channelSid);
    if (!list) {
      const ready: WorkerState[] = [];
      for (const sid of members) {
        const w = s.workers.get(sid);
        if (w?.readyOn.has(channelSid)) ready.push(w);
      }
      list = SortedList.of(idleOrder, ready);
      this.byChannel.set(channelSid, list);
    }
    return list;
  }

  /** Lists a member on every channel it is ready on (it joins the queue, or comes back in idle order). */
  add(w: WorkerState): void {
    for (const [channelSid, list] of this.byChannel) if (w.readyOn.has(channelSid)) list.insert(w);
  }

  /** Takes a member off every channel it is ready on (it leaves the queue, or moves in idle order). */
  remove(w: WorkerState): void {
    for (const [channelSid, list] of this.byChannel) if (w.readyOn.has(channelSid)) list.remove(w);
  }

  /** A member became ready on a channel. */
  addOn(channelSid: string, w: WorkerState): void {
    this.byChannel.get(channelSid)?.insert(w);
  }

  /** A member is no longer ready on a channel. */
  removeOn(channelSid: string, w: WorkerState): void {
    this.byChannel.get(channelSid)?.remove(w);
  }
}
