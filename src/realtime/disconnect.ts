// What happens when a worker has no socket left (its desk closed, its network lost, or the node holding its
// sockets died), as TaskRouter does for the Worker SDK's setWorkerOfflineIfDisconnected (the workspace's default
// activity, Offline in the templates) and taskrouter.js's disconnectActivitySid (that activity): the worker moves
// to it, and when that activity is unavailable its pending reservations are rejected, so their tasks are offered
// to other workers at once instead of waiting out their timeout on a desk nobody sees.
// Who calls it: the socket gateway on a single node (realtime/localPresence.ts), the node routing the workspace
// with several nodes (cluster/workerPresence.ts).
import { ApiError } from '../core/errors.ts';
import { updateWorker } from '../engine/configuration/workers.ts';
import type { Engine } from '../engine/engine.ts';

export interface Disconnected {
  accountSid: string;
  workspaceSid: string;
  workerSid: string;
  /** 'default' for the workspace's default activity, or an activity SID. */
  offlineActivity: string;
}

/** Applies the disconnect; false when there was nothing to do (the worker or workspace is gone, or the worker
 *  is already in that activity with nothing pending). */
export async function applyDisconnect(engine: Engine, d: Disconnected, now: number): Promise<boolean> {
  try {
    return await engine.store.replaying(() => engine.run({ accountSid: d.accountSid, now }, d.workspaceSid, (repo, router) => {
      const ws = repo.get('workspace', d.workspaceSid);
      const worker = repo.get('worker', d.workerSid);
      const target = d.offlineActivity === 'default' ? ws?.defaultActivitySid : d.offlineActivity;
      if (!target || !worker || worker.workspaceSid !== d.workspaceSid) return false;
      const moved = worker.activitySid === target ? worker : updateWorker(repo, { accountSid: d.accountSid, now }, d.workspaceSid, d.workerSid, { activitySid: target });
      router.workerUpserted(moved, [], now, { rejectPendingReservations: true });
      return moved !== worker || router.hasEffects();
    }));
  } catch (err) {
    // The workspace, worker or disconnect activity is gone (deleted meanwhile): nothing to move.
    if (err instanceof ApiError && err.status < 500) return false;
    throw err;
  }
}
