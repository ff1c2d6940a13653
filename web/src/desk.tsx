// The worker desk, on the browser SDK's Worker: set the activity, see offers with their attributes and the time
// left to answer, accept or reject, wrap up, complete; a finished offer leaves the desk (a status line says
// how it ended). An agent signed in with their own token gets their own desk and nothing else; a supervisor
// picks any worker (searched by name, paged) and the console mints that worker's token.
import { useEffect, useRef, useState } from 'preact/hooks';
import { age, api, mintToken } from './api.ts';
import { AttributeFields } from './attributes.tsx';
import { Pager, twilioAll, twilioPage, usePages } from './paging.tsx';
import { taskRouterSdk } from './sdk.ts';
import { WORKER_PAGE, workerSearch } from './workers.tsx';

interface Offer {
  reservation: any;
  taskSid: string;
  attributes: object | string;
  queue: string | undefined;
  offeredAt: number;
  /** When the offer times out, if the workflow's reservation timeout could be read. */
  deadline: number | undefined;
  status: 'pending' | 'accepted' | 'wrapping';
}

/** How each way an offer ends is told, and whether it leaves the desk. */
const ENDINGS: Record<string, string> = {
  'reservation.rejected': 'rejected',
  'reservation.timeout': 'timed out',
  'reservation.canceled': 'canceled',
  'reservation.rescinded': 'taken by another worker',
  'reservation.completed': 'completed',
};

/** The supervisor's choice of a worker: search by name, every worker reachable page by page. */
function WorkerPicker({ ws }: { ws: string }) {
  const [name, setName] = useState('');
  const query = workerSearch(name);
  const pages = usePages((cursor: string | undefined) => twilioPage(cursor ?? `/v1/Workspaces/${ws}/Workers?${query}`, 'workers'), `${ws}?${query}`);
  return (
    <section>
      <h1>Worker desk</h1>
      <p>Open the desk of a worker to work as them. Agents sign in with their own token instead (Workers, Sign-in).</p>
      <form class="filters" role="search" aria-label="Find a worker" onSubmit={(e) => e.preventDefault()}>
        <label class="inline">
          Worker name contains
          <input type="search" value={name} onInput={(e) => setName((e.target as HTMLInputElement).value)} />
        </label>
      </form>
      {pages.error ? <p role="alert" class="error">{pages.error}</p> : null}
      <ul class="cards" aria-label="Workers">
        {pages.page?.items.map((w) => (
          <li data-worker={w.friendly_name}>
            <a href={`#/${ws}/desk/${w.sid}`} aria-label={`Open desk of ${w.friendly_name}`}>
              {w.friendly_name}
            </a>{' '}
            <span class="hint">{w.activity_name}</span>
          </li>
        ))}
      </ul>
      <Pager label="Workers" pages={pages} pageSize={WORKER_PAGE} />
    </section>
  );
}

export function Desk({ ws, workerSid }: { ws: string; workerSid?: string }) {
  return workerSid ? <WorkerDesk ws={ws} workerSid={workerSid} /> : <WorkerPicker ws={ws} />;
}

function WorkerDesk({ ws, workerSid }: { ws: string; workerSid: string }) {
  const worker = useRef<any>();
  const [ready, setReady] = useState(false);
  const [name, setName] = useState('');
  const [activity, setActivity] = useState<string>();
  const [activities, setActivities] = useState<any[]>([]);
  const [offers, setOffers] = useState<Offer[]>([]);
  const [ended, setEnded] = useState<string>();
  const [error, setError] = useState<string>();
  const [, tick] = useState(0);
  useEffect(() => {
    const clock = setInterval(() => tick((n) => n + 1), 1000);
    return () => clearInterval(clock);
  }, []);
  const update = (sid: string, status: Offer['status']) => setOffers((list) => list.map((o) => (o.reservation.sid === sid ? { ...o, status } : o)));
  const shown = useRef(offers);
  shown.current = offers;
  /** An offer that ended leaves the desk; the status line says how. */
  const end = (sid: string, how: string) => {
    const o = shown.current.find((x) => x.reservation.sid === sid);
    if (o) setEnded(`Task ${o.taskSid} ${how}`);
    setOffers((list) => list.filter((x) => x.reservation.sid !== sid));
  };
  useEffect(() => {
    let closed = false;
    const timeouts = new Map<string, number | undefined>();
    /** The workflow's reservation timeout, when this sign-in may read it (a worker's own token may not). */
    const timeoutOf = async (workflowSid: string | undefined) => {
      if (!workflowSid) return undefined;
      if (!timeouts.has(workflowSid)) {
        const seconds = await api('GET', `/v1/Workspaces/${ws}/Workflows/${workflowSid}`).then((w) => w.task_reservation_timeout as number, () => undefined);
        timeouts.set(workflowSid, seconds);
      }
      return timeouts.get(workflowSid);
    };
    const offer = async (r: any, status: Offer['status']) => {
      const task = r.task ?? {};
      const seconds = status === 'pending' ? await timeoutOf(task.workflowSid) : undefined;
      // The SDK gives dates as Date, as taskrouter.js does.
      const offeredAt = (r.dateCreated instanceof Date ? r.dateCreated.getTime() : Date.parse(r.dateCreated ?? '')) || Date.now();
      const o: Offer = { reservation: r, taskSid: task.sid ?? r.taskSid, attributes: task.attributes ?? {}, queue: task.taskQueueFriendlyName ?? task.queueName, offeredAt, deadline: seconds ? offeredAt + seconds * 1000 : undefined, status };
      setOffers((list) => [...list.filter((x) => x.reservation.sid !== r.sid), o]);
    };
    void twilioAll(`/v1/Workspaces/${ws}/Activities?PageSize=100`, 'activities').then(setActivities, (e) => setError(e.message));
    (async () => {
      const [sdk, token] = await Promise.all([taskRouterSdk(), mintToken(ws, workerSid)]);
      if (closed) return;
      const w = new sdk.Worker(token);
      worker.current = w;
      w.on('ready', async (me: any) => {
        setReady(true);
        setName(me.friendlyName);
        setActivity(me.activitySid);
        // Work already in hand (the desk reopened): accepted and wrapping reservations. Pending ones the SDK
        // offers again by itself.
        for (const status of ['accepted', 'wrapping'] as const) {
          const held = await w.fetchReservations(undefined, { ReservationStatus: status }).catch(() => ({ data: [] }));
          for (const r of held.data) await offer(r, status);
        }
      });
      w.on('activity.update', (me: any) => setActivity(me.activitySid));
      w.on('reservation.created', (r: any) => void offer(r, 'pending'));
      w.on('reservation.accepted', (r: any) => update(r.sid, 'accepted'));
      w.on('reservation.wrapup', (r: any) => update(r.sid, 'wrapping'));
      for (const [event, how] of Object.entries(ENDINGS)) w.on(event, (r: any) => end(r.sid, how));
      w.on('token.expired', () => setError('This sign-in has expired: sign in again (an agent asks their supervisor for a new token).'));
      w.on('error', (err: Error) => setError(err.message));
    })().catch((err: Error) => setError(err.message));
    return () => {
      closed = true;
      worker.current?.disconnect?.();
    };
  }, [ws, workerSid]);
  const run = async (work: () => Promise<unknown>) => {
    try {
      await work();
      setError(undefined);
    } catch (err) {
      setError((err as Error).message);
    }
  };
  const changeActivity = (sid: string) =>
    run(async () => {
      await worker.current.update('ActivitySid', sid);
      setActivity(sid);
    });
  const answer = (o: Offer, accept: boolean) =>
    run(async () => {
      if (accept) {
        await o.reservation.accept();
        update(o.reservation.sid, 'accepted');
      } else {
        await o.reservation.reject();
        end(o.reservation.sid, 'rejected');
      }
    });
  const wrapUp = (o: Offer) =>
    run(async () => {
      await worker.current.updateTask(o.taskSid, { AssignmentStatus: 'wrapping' });
      update(o.reservation.sid, 'wrapping');
    });
  const complete = (o: Offer) =>
    run(async () => {
      await worker.current.completeTask(o.taskSid);
      end(o.reservation.sid, 'completed');
    });
  const now = Date.now();
  return (
    <section>
      <h1>Desk {name ? `of ${name}` : ''}</h1>
      <p class="status" aria-live="polite">
        <span class={ready ? 'dot on' : 'dot'} aria-hidden="true" /> {ready ? 'Connected' : 'Connecting…'}
      </p>
      {error ? <p role="alert" class="error">{error}</p> : null}
      <label class="inline">
        Activity
        <select value={activity} onChange={(e) => changeActivity((e.target as HTMLSelectElement).value)} disabled={!ready}>
          {activities.map((a) => (
            <option value={a.sid}>{a.friendly_name}</option>
          ))}
        </select>
      </label>
      <h2>Offers and tasks</h2>
      <p role="status" data-testid="desk-ended">
        {ended ?? ''}
      </p>
      {offers.length === 0 ? <p>Nothing offered right now.</p> : null}
      <ul class="offers">
        {offers.map((o) => (
          <li class={`offer ${o.status}`} data-task={o.taskSid}>
            <p>
              Task <span class="sid">{o.taskSid}</span>
              {o.queue ? ` in ${o.queue}` : ''} — <span data-testid="offer-status">{o.status}</span>
              {o.status === 'pending' ? (
                <span class="countdown"> · {o.deadline !== undefined ? `${age((o.deadline - now) / 1000)} left to answer` : `offered ${age((now - o.offeredAt) / 1000)} ago`}</span>
              ) : null}
            </p>
            <AttributeFields json={o.attributes} label={`Attributes of task ${o.taskSid}`} />
            {o.status === 'pending' ? (
              <div class="actions">
                <button type="button" onClick={() => answer(o, true)}>
                  Accept
                </button>
                <button type="button" class="secondary" onClick={() => answer(o, false)}>
                  Reject
                </button>
              </div>
            ) : (
              <div class="actions">
                {o.status === 'accepted' ? (
                  <button type="button" class="secondary" onClick={() => wrapUp(o)}>
                    Wrap up
                  </button>
                ) : null}
                <button type="button" onClick={() => complete(o)}>
                  Complete task
                </button>
              </div>
            )}
          </li>
        ))}
      </ul>
    </section>
  );
}
