// The live dashboard: the workspace's tasks waiting and average wait over time, and per task queue (a page of
// queues at a time, by name), tasks by status, the longest waiting task and its age, available vs eligible
// workers, and reservations accepted / rejected / timed out in the last N minutes; refreshed on every
// workspace event (useLiveRefresh), without reloading.
import { useEffect, useRef, useState } from 'preact/hooks';
import { age, api, pathOf } from './api.ts';
import { useLiveRefresh } from './live.ts';
import { Pager, usePages, type Page } from './paging.tsx';
import { WaitChart, type WaitSample } from './waitChart.tsx';

interface QueueRow {
  sid: string;
  name: string;
  byStatus: Record<string, number>;
  longestSid: string | null;
  longestAge: number;
  available: number;
  eligible: number;
  accepted: number;
  rejected: number;
  timedOut: number;
}

const STATUSES = ['pending', 'reserved', 'assigned', 'wrapping'] as const;
const QUEUE_PAGE = 25;

export function Dashboard({ ws }: { ws: string }) {
  const [minutes, setMinutes] = useState(15);
  const [error, setError] = useState<string>();
  const [updated, setUpdated] = useState<Date>();
  const [samples, setSamples] = useState<WaitSample[]>([]);
  /** A page of queues with each one's statistics. */
  const loadQueues = async (cursor: string | undefined): Promise<Page<QueueRow, string>> => {
    const r = await api('GET', cursor ?? `/v1/Workspaces/${ws}/TaskQueues?PageSize=${QUEUE_PAGE}&Ordering=FriendlyName:asc`);
    const queues = r.task_queues as { sid: string; friendly_name: string }[];
    const items = await Promise.all(
      queues.map(async (q): Promise<QueueRow> => {
        const [rt, cum] = await Promise.all([
          api('GET', `/v1/Workspaces/${ws}/TaskQueues/${q.sid}/RealTimeStatistics`),
          api('GET', `/v1/Workspaces/${ws}/TaskQueues/${q.sid}/CumulativeStatistics?Minutes=${minutes}`),
        ]);
        return {
          sid: q.sid,
          name: q.friendly_name,
          byStatus: rt.tasks_by_status ?? {},
          longestSid: rt.longest_task_waiting_sid ?? null,
          longestAge: rt.longest_task_waiting_age ?? 0,
          available: rt.total_available_workers ?? 0,
          eligible: rt.total_eligible_workers ?? 0,
          accepted: cum.reservations_accepted ?? 0,
          rejected: cum.reservations_rejected ?? 0,
          timedOut: cum.reservations_timed_out ?? 0,
        };
      }),
    );
    return { items, next: r.meta?.next_page_url ? pathOf(r.meta.next_page_url) : undefined };
  };
  const pages = usePages(loadQueues, `${ws}|${minutes}`);
  const refresh = async () => {
    try {
      // The chart is the whole workspace's, whatever page of queues is shown.
      const [realtime, cumulative] = await Promise.all([
        api('GET', `/v1/Workspaces/${ws}/RealTimeStatistics`),
        api('GET', `/v1/Workspaces/${ws}/CumulativeStatistics?Minutes=${minutes}`),
        pages.reload(),
      ]);
      const byStatus = realtime.tasks_by_status ?? {};
      const waiting = (byStatus.pending ?? 0) + (byStatus.reserved ?? 0);
      const avgWait = Number(cumulative.avg_task_acceptance_time ?? 0);
      setSamples((list) => [...list.slice(-2000), { at: Date.now() / 1000, waiting, avgWait }]);
      setUpdated(new Date());
      setError(undefined);
    } catch (err) {
      setError((err as Error).message);
    }
  };
  const rows = pages.page?.items;
  // Two statistics requests per queue shown: at most one refresh a second, however busy the workspace.
  const { live, events } = useLiveRefresh(ws, refresh, 1000);
  // A point at least every 10 s, so the lines go on while nothing happens.
  const latest = useRef(refresh);
  latest.current = refresh;
  useEffect(() => {
    const timer = setInterval(() => void latest.current(), 10_000);
    return () => clearInterval(timer);
  }, [ws]);
  return (
    <section>
      <h1>Dashboard</h1>
      <p class="status" aria-live="polite">
        <span class={live ? 'dot on' : 'dot'} aria-hidden="true" /> {live ? 'Live' : 'Connecting…'} · <span data-testid="event-count">{events}</span> events ·
        updated {updated ? updated.toLocaleTimeString() : '—'}
      </p>
      <label class="inline">
        Reservations over the last
        <select value={minutes} onChange={(e) => setMinutes(Number((e.target as HTMLSelectElement).value))}>
          {[5, 15, 60, 240].map((m) => (
            <option value={m}>{m} minutes</option>
          ))}
        </select>
      </label>
      {error || pages.error ? <p role="alert" class="error">{error ?? pages.error}</p> : null}
      <WaitChart samples={samples} />
      <div class="table-wrap">
        <table>
          <caption>Task queues</caption>
          <thead>
            <tr>
              <th scope="col">Queue</th>
              {STATUSES.map((s) => (
                <th scope="col">{s}</th>
              ))}
              <th scope="col">Longest waiting</th>
              <th scope="col">Workers available / eligible</th>
              <th scope="col">Accepted</th>
              <th scope="col">Rejected</th>
              <th scope="col">Timed out</th>
            </tr>
          </thead>
          <tbody>
            {rows?.map((r) => (
              <tr data-queue={r.name}>
                <th scope="row">{r.name}</th>
                {STATUSES.map((s) => (
                  <td data-status={s}>{r.byStatus[s] ?? 0}</td>
                ))}
                <td>{r.longestSid ? <a href={`#/${ws}/tasks/${r.longestSid}`}>{age(r.longestAge)}</a> : '—'}</td>
                <td data-workers>
                  {r.available} / {r.eligible}
                </td>
                <td data-accepted>{r.accepted}</td>
                <td>{r.rejected}</td>
                <td>{r.timedOut}</td>
              </tr>
            ))}
          </tbody>
        </table>
      </div>
      <Pager label="Queues" pages={pages} pageSize={QUEUE_PAGE} />
    </section>
  );
}
