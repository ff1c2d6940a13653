// Tasks: the list (newest first unless another order is chosen, paged, searched by status, queue and an
// expression over the attributes, live), and one task with its attributes, its event timeline in the order
// the events were logged, and the supervisor's cancel and complete.
import { useState } from 'preact/hooks';
import { age, api } from './api.ts';
import { AttributeFields, JsonObjectEditor } from './attributes.tsx';
import { FilterInput } from './filterInput.tsx';
import { LoadError, useLoadError } from './loadError.tsx';
import { useLiveRefresh } from './live.ts';
import { Pager, twilioAll, twilioPage, usePages } from './paging.tsx';

const STATUSES = ['', 'pending', 'reserved', 'assigned', 'wrapping', 'completed', 'canceled'];
export const TASK_PAGE = 50;
/** The orders the Tasks list offers, as the API's `Ordering` and as the caption says them. */
export const TASK_ORDERS = [
  ['DateCreated:desc', 'newest first'],
  ['DateCreated:asc', 'oldest first'],
  ['Priority:desc,DateCreated:asc', 'highest priority first'],
] as const;

export function Tasks({ ws }: { ws: string }) {
  const [status, setStatus] = useState('');
  const [queue, setQueue] = useState('');
  const [expression, setExpression] = useState('');
  const [ordering, setOrdering] = useState<string>(TASK_ORDERS[0][0]);
  const [queues, setQueues] = useState<any[]>([]);
  const queuesError = useLoadError(() => twilioAll(`/v1/Workspaces/${ws}/TaskQueues?PageSize=1000`, 'task_queues').then(setQueues), [ws]);
  // The list filters of the API: status, queue, an expression over the task attributes, and the order.
  const q = new URLSearchParams({ PageSize: String(TASK_PAGE), Ordering: ordering });
  if (status) q.set('AssignmentStatus', status);
  if (queue) q.set('TaskQueueSid', queue);
  if (expression) q.set('EvaluateTaskAttributes', expression);
  const first = `/v1/Workspaces/${ws}/Tasks?${q}`;
  const pages = usePages((cursor: string | undefined) => twilioPage(cursor ?? first, 'tasks'), first);
  useLiveRefresh(ws, pages.reload);
  const orderName = TASK_ORDERS.find(([o]) => o === ordering)?.[1];
  return (
    <section>
      <h1>Tasks</h1>
      <form class="filters" role="search" aria-label="Task filters" onSubmit={(e) => e.preventDefault()}>
        <label class="inline">
          Status
          <select value={status} onChange={(e) => setStatus((e.target as HTMLSelectElement).value)}>
            {STATUSES.map((s) => (
              <option value={s}>{s || 'any'}</option>
            ))}
          </select>
        </label>
        <label class="inline">
          Queue
          <select value={queue} onChange={(e) => setQueue((e.target as HTMLSelectElement).value)}>
            <option value="">any</option>
            {queues.map((x) => (
              <option value={x.sid}>{x.friendly_name}</option>
            ))}
          </select>
        </label>
        <label class="inline">
          Attributes matching
          <FilterInput placeholder='e.g. customer == "ACME"' onApply={setExpression} />
        </label>
        <label class="inline">
          Order
          <select value={ordering} onChange={(e) => setOrdering((e.target as HTMLSelectElement).value)}>
            {TASK_ORDERS.map(([value, label]) => (
              <option value={value}>{label}</option>
            ))}
          </select>
        </label>
      </form>
      <LoadError error={queuesError} what="The queues to filter by could not be read" />
      {pages.error ? <p role="alert" class="error">{pages.error}</p> : null}
      <div class="table-wrap">
        <table>
          <caption>Tasks, {orderName}</caption>
          <thead>
            <tr>
              <th scope="col">Task</th>
              <th scope="col">Status</th>
              <th scope="col">Queue</th>
              <th scope="col">Priority</th>
              <th scope="col">Age</th>
              <th scope="col">Attributes</th>
            </tr>
          </thead>
          <tbody>
            {pages.page?.items.map((t) => (
              <tr data-task={t.sid}>
                <th scope="row">
                  <a href={`#/${ws}/tasks/${t.sid}`} class="sid">
                    {t.sid}
                  </a>
                </th>
                <td>{t.assignment_status}</td>
                <td>{t.task_queue_friendly_name ?? '—'}</td>
                <td>{t.priority}</td>
                <td>{age(t.age)}</td>
                <td class="attributes">
                  <AttributeFields json={t.attributes} label={`Attributes of ${t.sid}`} compact />
                </td>
              </tr>
            ))}
          </tbody>
        </table>
      </div>
      <Pager label="Tasks" pages={pages} pageSize={TASK_PAGE} />
    </section>
  );
}

/** A task's events as its timeline: in the order they were logged, except that its creation comes first.
 *  TaskRouter logs `workflow.entered` and `task-queue.entered` just before `task.created`, in the same instant
 *  (the event log and the Events list keep that order, as Twilio's); a timeline reads better starting with the
 *  task's creation, since nothing happens to a task before it exists. */
export function timelineOrder(events: any[]): any[] {
  const created = events.filter((e) => e.event_type === 'task.created');
  return [...created, ...events.filter((e) => e.event_type !== 'task.created')];
}

export function TaskDetail({ ws, sid }: { ws: string; sid: string }) {
  const [task, setTask] = useState<any>();
  const [events, setEvents] = useState<any[]>([]);
  const [error, setError] = useState<string>();
  const [editing, setEditing] = useState(false);
  const refresh = async () => {
    try {
      const t = await api('GET', `/v1/Workspaces/${ws}/Tasks/${sid}`);
      // Every event of the task since it was created (the Events list's default window is the last 15
      // minutes), in the order the API gives: the order they were logged (never re-sorted by their
      // one-second timestamps), its creation first.
      const since = new Date(Date.parse(t.date_created) - 1000).toISOString();
      const all = await twilioAll(`/v1/Workspaces/${ws}/Events?TaskSid=${sid}&StartDate=${encodeURIComponent(since)}&PageSize=1000`, 'events');
      setTask(t);
      setEvents(timelineOrder(all));
      setError(undefined);
    } catch (err) {
      setError((err as Error).message);
    }
  };
  useLiveRefresh(ws, refresh);
  const act = async (form: Record<string, string>) => {
    try {
      await api('POST', `/v1/Workspaces/${ws}/Tasks/${sid}`, form);
      await refresh();
    } catch (err) {
      setError((err as Error).message);
    }
  };
  return (
    <section>
      <h1>
        Task <span class="sid">{sid}</span>
      </h1>
      {error ? <p role="alert" class="error">{error}</p> : null}
      {task ? (
        <dl class="facts">
          <dt>Status</dt>
          <dd data-testid="task-status">{task.assignment_status}</dd>
          <dt>Queue</dt>
          <dd>{task.task_queue_friendly_name ?? '—'}</dd>
          <dt>Workflow</dt>
          <dd>{task.workflow_friendly_name ?? '—'}</dd>
          <dt>Priority</dt>
          <dd>{task.priority}</dd>
          <dt>Created</dt>
          <dd>
            <time dateTime={task.date_created}>{new Date(task.date_created).toLocaleString()}</time> ({age(task.age)} ago)
          </dd>
          <dt>Attributes</dt>
          <dd>
            {editing ? (
              <JsonObjectEditor
                label="Attributes of this task"
                initial={task.attributes}
                save={async (text) => {
                  await api('POST', `/v1/Workspaces/${ws}/Tasks/${sid}`, { Attributes: text });
                  await refresh();
                }}
                close={() => setEditing(false)}
              />
            ) : (
              <>
                <AttributeFields json={task.attributes} label="Attributes of this task" />
                <button type="button" class="link" onClick={() => setEditing(true)}>
                  Edit attributes
                </button>
              </>
            )}
          </dd>
        </dl>
      ) : null}
      <div class="actions">
        <button type="button" onClick={() => act({ AssignmentStatus: 'canceled', Reason: 'canceled in the console' })} disabled={!task || !['pending', 'reserved'].includes(task.assignment_status)}>
          Cancel task
        </button>
        <button type="button" onClick={() => act({ AssignmentStatus: 'completed', Reason: 'completed in the console' })} disabled={!task || !['assigned', 'wrapping'].includes(task.assignment_status)}>
          Complete task
        </button>
      </div>
      <h2>Timeline</h2>
      <ol class="timeline" aria-label="Event timeline">
        {events.map((e) => (
          <li data-event={e.event_type}>
            <time dateTime={e.event_date}>{new Date(e.event_date).toLocaleTimeString()}</time> <strong>{e.event_type}</strong> {e.description}
          </li>
        ))}
      </ol>
    </section>
  );
}
