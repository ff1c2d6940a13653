// Tasks: the list (by status, live), and one task with its event timeline and the supervisor's cancel and
// complete.
import { useEffect, useState } from 'preact/hooks';
import { age, api } from './api.ts';
import { useLiveRefresh } from './live.ts';

const STATUSES = ['', 'pending', 'reserved', 'assigned', 'wrapping', 'completed', 'canceled'];

export function Tasks({ ws }: { ws: string }) {
  const [status, setStatus] = useState('');
  const [queue, setQueue] = useState('');
  const [expression, setExpression] = useState('');
  const [queues, setQueues] = useState<any[]>([]);
  const [tasks, setTasks] = useState<any[]>();
  const [error, setError] = useState<string>();
  useEffect(() => void api('GET', `/v1/Workspaces/${ws}/TaskQueues?PageSize=100`).then((r) => setQueues(r.task_queues)), [ws]);
  const refresh = async () => {
    // The list filters of the API: status, queue, and an expression over the task attributes.
    const q = new URLSearchParams({ PageSize: '50' });
    if (status) q.set('AssignmentStatus', status);
    if (queue) q.set('TaskQueueSid', queue);
    if (expression) q.set('EvaluateTaskAttributes', expression);
    try {
      setTasks((await api('GET', `/v1/Workspaces/${ws}/Tasks?${q}`)).tasks);
      setError(undefined);
    } catch (err) {
      setError((err as Error).message);
    }
  };
  useLiveRefresh(`${ws}|${status}|${queue}|${expression}`, refresh);
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
            {queues.map((q) => (
              <option value={q.sid}>{q.friendly_name}</option>
            ))}
          </select>
        </label>
        <label class="inline">
          Attributes matching
          <input value={expression} placeholder='e.g. customer == "ACME"' onChange={(e) => setExpression((e.target as HTMLInputElement).value.trim())} />
        </label>
      </form>
      {error ? <p role="alert" class="error">{error}</p> : null}
      <table>
        <caption>Tasks, newest first</caption>
        <thead>
          <tr>
            <th scope="col">Task</th>
            <th scope="col">Status</th>
            <th scope="col">Queue</th>
            <th scope="col">Age</th>
            <th scope="col">Attributes</th>
          </tr>
        </thead>
        <tbody>
          {tasks?.map((t) => (
            <tr>
              <th scope="row">
                <a href={`#/${ws}/tasks/${t.sid}`}>{t.sid}</a>
              </th>
              <td>{t.assignment_status}</td>
              <td>{t.task_queue_friendly_name ?? '—'}</td>
              <td>{age(t.age)}</td>
              <td>
                <code>{t.attributes}</code>
              </td>
            </tr>
          ))}
        </tbody>
      </table>
    </section>
  );
}

export function TaskDetail({ ws, sid }: { ws: string; sid: string }) {
  const [task, setTask] = useState<any>();
  const [events, setEvents] = useState<any[]>([]);
  const [error, setError] = useState<string>();
  const refresh = async () => {
    try {
      const [t, e] = await Promise.all([api('GET', `/v1/Workspaces/${ws}/Tasks/${sid}`), api('GET', `/v1/Workspaces/${ws}/Events?TaskSid=${sid}&PageSize=100`)]);
      setTask(t);
      setEvents([...e.events].sort((a: any, b: any) => Date.parse(a.event_date) - Date.parse(b.event_date)));
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
        Task <code>{sid}</code>
      </h1>
      {error ? <p role="alert" class="error">{error}</p> : null}
      {task ? (
        <dl class="facts">
          <dt>Status</dt>
          <dd data-testid="task-status">{task.assignment_status}</dd>
          <dt>Queue</dt>
          <dd>{task.task_queue_friendly_name ?? '—'}</dd>
          <dt>Priority</dt>
          <dd>{task.priority}</dd>
          <dt>Attributes</dt>
          <dd>
            <code>{task.attributes}</code>
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
