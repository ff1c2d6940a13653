// Live updates for a workspace page: the browser SDK's Workspace with an admin token minted for this console
// listens on the workspace channel; every event schedules one refresh (coalesced) of what the page shows.
import { useEffect, useRef, useState } from 'preact/hooks';
import { mintToken } from './api.ts';
import { taskRouterSdk, type SdkEmitter } from './sdk.ts';

const EVENTS = [
  'task.created', 'task.updated', 'task.canceled', 'task.completed', 'task.deleted', 'task.wrapup',
  'reservation.created', 'reservation.accepted', 'reservation.rejected', 'reservation.timeout', 'reservation.canceled',
  'reservation.rescinded', 'reservation.completed', 'reservation.wrapup', 'worker.activity.update', 'worker.created',
  'worker.deleted', 'worker.attributes.update', 'task-queue.created', 'task-queue.deleted', 'task-queue.entered',
];

/** Calls `refresh` now, then after workspace events (at most once every `everyMs`); says whether it is live. */
export function useLiveRefresh(ws: string, refresh: () => Promise<void>, everyMs = 150): { live: boolean; events: number } {
  const [live, setLive] = useState(false);
  const [events, setEvents] = useState(0);
  const latest = useRef(refresh);
  latest.current = refresh;
  useEffect(() => {
    let closed = false;
    let timer: number | undefined;
    let workspace: SdkEmitter | undefined;
    const schedule = () => {
      if (timer !== undefined || closed) return;
      timer = window.setTimeout(() => {
        timer = undefined;
        void latest.current();
      }, everyMs);
    };
    void latest.current();
    (async () => {
      const [sdk, token] = await Promise.all([taskRouterSdk(), mintToken(ws)]);
      if (closed) return;
      workspace = new sdk.Workspace(token);
      workspace.on('ready', () => setLive(true));
      workspace.on('disconnected', () => setLive(false));
      for (const name of EVENTS) {
        workspace.on(name, () => {
          setEvents((n) => n + 1);
          schedule();
        });
      }
    })().catch(() => setLive(false));
    return () => {
      closed = true;
      window.clearTimeout(timer);
      workspace?.disconnect?.();
    };
  }, [ws]);
  return { live, events };
}
