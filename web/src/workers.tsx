// Workers: the list with their activity, and a form to create one (attributes checked as JSON as they are
// typed, activity chosen from the workspace's).
import { useEffect, useState } from 'preact/hooks';
import { api } from './api.ts';
import { FormMessage, useFormOutcome } from './formMessage.tsx';

export function jsonProblem(text: string): string | undefined {
  try {
    const v = JSON.parse(text);
    return v !== null && typeof v === 'object' && !Array.isArray(v) ? undefined : 'Attributes must be a JSON object';
  } catch (err) {
    return `Not valid JSON: ${(err as Error).message}`;
  }
}

/** A worker's channels: capacity and availability per task channel, changed in place. */
function WorkerChannels({ ws, worker }: { ws: string; worker: any }) {
  const [channels, setChannels] = useState<any[]>([]);
  const [error, setError] = useState<string>();
  const load = () => api('GET', `/v1/Workspaces/${ws}/Workers/${worker.sid}/Channels?PageSize=100`).then((r) => setChannels(r.channels));
  useEffect(() => void load(), [worker.sid]);
  const change = async (sid: string, form: Record<string, string>) => {
    try {
      await api('POST', `/v1/Workspaces/${ws}/Workers/${worker.sid}/Channels/${sid}`, form);
      setError(undefined);
      await load();
    } catch (err) {
      setError((err as Error).message);
    }
  };
  return (
    <table class="nested" aria-label={`Channels of ${worker.friendly_name}`}>
      <thead>
        <tr>
          <th scope="col">Channel</th>
          <th scope="col">Capacity</th>
          <th scope="col">Available</th>
          <th scope="col">Assigned</th>
        </tr>
      </thead>
      <tbody>
        {error ? (
          <tr>
            <td colSpan={4} role="alert" class="error">
              {error}
            </td>
          </tr>
        ) : null}
        {channels.map((c) => (
          <tr data-channel={c.task_channel_unique_name}>
            <th scope="row">{c.task_channel_unique_name}</th>
            <td>
              <input
                type="number"
                min={0}
                aria-label={`Capacity of ${worker.friendly_name} on ${c.task_channel_unique_name}`}
                value={c.configured_capacity}
                onChange={(e) => change(c.sid, { Capacity: (e.target as HTMLInputElement).value })}
              />
            </td>
            <td>
              <input
                type="checkbox"
                aria-label={`${worker.friendly_name} available on ${c.task_channel_unique_name}`}
                checked={c.available}
                onChange={(e) => change(c.sid, { Available: String((e.target as HTMLInputElement).checked) })}
              />
            </td>
            <td>{c.assigned_tasks}</td>
          </tr>
        ))}
      </tbody>
    </table>
  );
}

/** A worker's attributes edited in place: JSON checked as typed, saved through the API. */
function AttributesEditor({ ws, worker, saved }: { ws: string; worker: any; saved: () => void }) {
  const [text, setText] = useState(worker.attributes);
  const [error, setError] = useState<string>();
  const problem = jsonProblem(text);
  const save = async () => {
    try {
      await api('POST', `/v1/Workspaces/${ws}/Workers/${worker.sid}`, { Attributes: text });
      setError(undefined);
      saved();
    } catch (err) {
      setError((err as Error).message);
    }
  };
  return (
    <div>
      <label>
        Attributes of {worker.friendly_name}
        <textarea rows={2} value={text} onInput={(e) => setText((e.target as HTMLTextAreaElement).value)} aria-invalid={problem ? 'true' : 'false'} />
      </label>
      {problem || error ? (
        <p class="error" role="alert">
          {problem ?? error}
        </p>
      ) : null}
      <button type="button" onClick={save} disabled={!!problem || text === worker.attributes}>
        Save attributes
      </button>
    </div>
  );
}

export function Workers({ ws }: { ws: string }) {
  const [workers, setWorkers] = useState<any[]>();
  const [activities, setActivities] = useState<any[]>([]);
  const [attributes, setAttributes] = useState('{}');
  const [outcome, submitForm] = useFormOutcome();
  const [open, setOpen] = useState<string>();
  const problem = jsonProblem(attributes);
  const load = () => api('GET', `/v1/Workspaces/${ws}/Workers?PageSize=100`).then((r) => setWorkers(r.workers));
  useEffect(() => {
    void load();
    void api('GET', `/v1/Workspaces/${ws}/Activities?PageSize=100`).then((r) => setActivities(r.activities));
  }, [ws]);
  const create = async (e: Event) => {
    e.preventDefault();
    const form = e.target as HTMLFormElement;
    const data = new FormData(form);
    const name = String(data.get('name'));
    await submitForm(async () => {
      await api('POST', `/v1/Workspaces/${ws}/Workers`, { FriendlyName: name, Attributes: attributes, ActivitySid: String(data.get('activity') || '') });
      form.reset();
      setAttributes('{}');
      await load();
    }, `Worker ${name} created`);
  };
  const setActivity = (sid: string, activitySid: string) =>
    submitForm(async () => {
      await api('POST', `/v1/Workspaces/${ws}/Workers/${sid}`, { ActivitySid: activitySid });
      await load();
    }, 'Activity changed');
  return (
    <section>
      <h1>Workers</h1>
      <form onSubmit={create} class="card" aria-label="New worker">
        <h2>New worker</h2>
        <label>
          Name
          <input name="name" required maxLength={64} />
        </label>
        <label>
          Attributes (JSON)
          <textarea name="attributes" rows={3} value={attributes} onInput={(e) => setAttributes((e.target as HTMLTextAreaElement).value)} aria-invalid={problem ? 'true' : 'false'} aria-describedby="attributes-problem" />
        </label>
        <p id="attributes-problem" class="error" aria-live="polite">
          {problem ?? ''}
        </p>
        <label>
          Activity
          <select name="activity">
            <option value="">Default</option>
            {activities.map((a) => (
              <option value={a.sid}>{a.friendly_name}</option>
            ))}
          </select>
        </label>
        <FormMessage outcome={outcome} />
        <button type="submit" disabled={!!problem}>
          Create worker
        </button>
      </form>
      <table>
        <caption>Workers</caption>
        <thead>
          <tr>
            <th scope="col">Name</th>
            <th scope="col">Activity</th>
            <th scope="col">Attributes</th>
            <th scope="col">Channels</th>
          </tr>
        </thead>
        <tbody>
          {workers?.map((w) => (
            <tr data-worker={w.friendly_name}>
              <th scope="row">{w.friendly_name}</th>
              <td>
                <select aria-label={`Activity of ${w.friendly_name}`} value={w.activity_sid} onChange={(e) => setActivity(w.sid, (e.target as HTMLSelectElement).value)}>
                  {activities.map((a) => (
                    <option value={a.sid}>{a.friendly_name}</option>
                  ))}
                </select>
              </td>
              <td>
                <AttributesEditor ws={ws} worker={w} saved={() => void load()} />
              </td>
              <td>
                <button type="button" class="link" aria-expanded={open === w.sid} onClick={() => setOpen(open === w.sid ? undefined : w.sid)}>
                  {open === w.sid ? 'Hide channels' : 'Channels'}
                </button>
                {open === w.sid ? <WorkerChannels ws={ws} worker={w} /> : null}
              </td>
            </tr>
          ))}
        </tbody>
      </table>
    </section>
  );
}
