// The worker desk: pick a worker (the console mints that worker's token), then it is the agent's desk on the
// browser SDK's Worker: set the activity, see offers with their attributes and the time left to answer, accept
// or reject, then complete.
import { useEffect, useRef, useState } from 'preact/hooks';
import { age, api, mintToken } from './api.ts';
import { taskRouterSdk } from './sdk.ts';

interface Offer {
  reservation: any;
  taskSid: string;
  attributes: string;
  deadline: number;
  status: 'pending' | 'accepted' | 'wrapping' | 'completed' | 'gone';
}

export function Desk({ ws }: { ws: string }) {
  const [workers, setWorkers] = useState<any[]>([]);
  const [workerSid, setWorkerSid] = useState<string>();
  useEffect(() => void api('GET', `/v1/Workspaces/${ws}/Workers?PageSize=100`).then((r) => setWorkers(r.workers)), [ws]);
  if (!workerSid) {
    return (
      <section>
        <h1>Worker desk</h1>
        <form
          class="card"
          onSubmit={(e) => {
            e.preventDefault();
            setWorkerSid(String(new FormData(e.target as HTMLFormElement).get('worker')));
          }}
        >
          <label>
            Sign in as worker
            <select name="worker" required>
              {workers.map((w) => (
                <option value={w.sid}>{w.friendly_name}</option>
              ))}
            </select>
          </label>
          <button type="submit">Open desk</button>
        </form>
      </section>
    );
  }
  return <WorkerDesk ws={ws} workerSid={workerSid} />;
}

function WorkerDesk({ ws, workerSid }: { ws: string; workerSid: string }) {
  const worker = useRef<any>();
  const [ready, setReady] = useState(false);
  const [name, setName] = useState('');
  const [activity, setActivity] = useState<string>();
  const [activities, setActivities] = useState<any[]>([]);
  const [offers, setOffers] = useState<Offer[]>([]);
  const [error, setError] = useState<string>();
  const [, tick] = useState(0);
  useEffect(() => {
    const clock = setInterval(() => tick((n) => n + 1), 1000);
    return () => clearInterval(clock);
  }, []);
  const update = (sid: string, change: Partial<Offer>) => setOffers((list) => list.map((o) => (o.reservation.sid === sid ? { ...o, ...change } : o)));
  useEffect(() => {
    let closed = false;
    void api('GET', `/v1/Workspaces/${ws}/Activities?PageSize=100`).then((r) => setActivities(r.activities));
    (async () => {
      const [sdk, token] = await Promise.all([taskRouterSdk(), mintToken(ws, workerSid)]);
      if (closed) return;
      const w = new sdk.Worker(token);
      worker.current = w;
      w.on('ready', (me: any) => {
        setReady(true);
        setName(me.friendlyName);
        setActivity(me.activitySid);
      });
      w.on('activity.update', (me: any) => setActivity(me.activitySid));
      w.on('reservation.created', async (r: any) => {
        const task = r.task ?? {};
        let timeout = 120;
        try {
          if (task.workflowSid) timeout = (await api('GET', `/v1/Workspaces/${ws}/Workflows/${task.workflowSid}`)).task_reservation_timeout ?? 120;
        } catch {
          // the default then
        }
        // The SDK gives dates as Date, as taskrouter.js does.
        const created = (r.dateCreated instanceof Date ? r.dateCreated.getTime() : Date.parse(r.dateCreated ?? '')) || Date.now();
        setOffers((list) => [...list.filter((o) => o.reservation.sid !== r.sid), { reservation: r, taskSid: task.sid, attributes: typeof task.attributes === 'string' ? task.attributes : JSON.stringify(task.attributes ?? {}), deadline: created + timeout * 1000, status: 'pending' }]);
      });
      for (const gone of ['reservation.timeout', 'reservation.canceled', 'reservation.rescinded', 'reservation.rejected']) w.on(gone, (r: any) => update(r.sid, { status: 'gone' }));
      w.on('reservation.accepted', (r: any) => update(r.sid, { status: 'accepted' }));
      w.on('error', (err: Error) => setError(err.message));
    })().catch((err: Error) => setError(err.message));
    return () => {
      closed = true;
      worker.current?.disconnect?.();
    };
  }, [ws, workerSid]);
  const changeActivity = async (sid: string) => {
    try {
      await worker.current.update('ActivitySid', sid);
      setActivity(sid);
    } catch (err) {
      setError((err as Error).message);
    }
  };
  const answer = async (o: Offer, accept: boolean) => {
    try {
      if (accept) await o.reservation.accept();
      else await o.reservation.reject();
      update(o.reservation.sid, { status: accept ? 'accepted' : 'gone' });
    } catch (err) {
      setError((err as Error).message);
    }
  };
  const wrapUp = async (o: Offer) => {
    try {
      await worker.current.updateTask(o.taskSid, { AssignmentStatus: 'wrapping' });
      update(o.reservation.sid, { status: 'wrapping' });
    } catch (err) {
      setError((err as Error).message);
    }
  };
  const complete = async (o: Offer) => {
    try {
      await worker.current.completeTask(o.taskSid);
      update(o.reservation.sid, { status: 'completed' });
    } catch (err) {
      setError((err as Error).message);
    }
  };
  const now = Date.now();
  return (
    <section>
      <h1>Desk {name ? `— ${name}` : ''}</h1>
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
      <h2>Offers</h2>
      {offers.length === 0 ? <p>No offer yet.</p> : null}
      <ul class="offers">
        {offers.map((o) => (
          <li class={`offer ${o.status}`} data-task={o.taskSid}>
            <p>
              Task <code>{o.taskSid}</code> — <span data-testid="offer-status">{o.status}</span>
              {o.status === 'pending' ? <span class="countdown"> · {age((o.deadline - now) / 1000)} left to answer</span> : null}
            </p>
            <pre>{o.attributes}</pre>
            {o.status === 'pending' ? (
              <div class="actions">
                <button type="button" onClick={() => answer(o, true)}>
                  Accept
                </button>
                <button type="button" onClick={() => answer(o, false)}>
                  Reject
                </button>
              </div>
            ) : null}
            {o.status === 'accepted' || o.status === 'wrapping' ? (
              <div class="actions">
                {o.status === 'accepted' ? (
                  <button type="button" onClick={() => wrapUp(o)}>
                    Wrap up
                  </button>
                ) : null}
                <button type="button" onClick={() => complete(o)}>
                  Complete task
                </button>
              </div>
            ) : null}
          </li>
        ))}
      </ul>
    </section>
  );
}
