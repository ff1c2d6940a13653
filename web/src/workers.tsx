// Workers: a form to create one (attributes checked as JSON as typed), and the list by name, paged, searched by
// name or activity, each with its activity (changed in place), its attributes as fields (edited on demand), its
// channels (capacity and availability) and a sign-in token for the agent's own desk.
import { useEffect, useRef, useState } from 'preact/hooks';
import { api } from './api.ts';
import { AttributeFields, JsonObjectEditor, jsonObjectProblem } from './attributes.tsx';
import { FormMessage, useFormOutcome } from './formMessage.tsx';
import { LoadError, useLoadError } from './loadError.tsx';
import { Pager, twilioAll, twilioPage, usePages } from './paging.tsx';

export const WORKER_PAGE = 50;

/** The Workers list query for a name search: TargetWorkersExpression over `friendly_name` (the API's own
 *  filter, so the search reaches every worker, not just a page), as typed or with its first letter in either
 *  case. */
export function workerSearch(name: string, activitySid = ''): string {
  const q = new URLSearchParams({ PageSize: String(WORKER_PAGE), Ordering: 'FriendlyName:asc' });
  const text = name.trim();
  if (text) {
    const variants = [...new Set([text, text.charAt(0).toLowerCase() + text.slice(1), text.charAt(0).toUpperCase() + text.slice(1)])];
    q.set('TargetWorkersExpression', variants.map((v) => `friendly_name CONTAINS ${JSON.stringify(v)}`).join(' OR '));
  }
  if (activitySid) q.set('ActivitySid', activitySid);
  return q.toString();
}

/** A worker's channels: capacity and availability per task channel, changed in place. A change shows at once
 *  (otherwise a re-render while its request is out, e.g. another channel's reload landing, would put the old value
 *  back under the user's click), and only the newest reload is applied: one started before a later change carries
 *  the state before it. A refused change reloads, so the table shows what the server holds. */
function WorkerChannels({ ws, worker }: { ws: string; worker: any }) {
  const [channels, setChannels] = useState<any[]>([]);
  const [error, setError] = useState<string>();
  const generation = useRef(0);
  // Only the newest load is shown, its channels or why it failed (an older answer arriving late is dropped).
  const load = async () => {
    const mine = ++generation.current;
    try {
      const list = await twilioAll(`/v1/Workspaces/${ws}/Workers/${worker.sid}/Channels?PageSize=100`, 'channels');
      if (mine === generation.current) setChannels(list);
    } catch (err) {
      if (mine === generation.current) setError((err as Error).message);
    }
  };
  useEffect(() => void load(), [worker.sid]);
  const change = async (sid: string, form: Record<string, string>, shown: Record<string, unknown>) => {
    generation.current++;
    setChannels((list) => list.map((c) => (c.sid === sid ? { ...c, ...shown } : c)));
    try {
      await api('POST', `/v1/Workspaces/${ws}/Workers/${worker.sid}/Channels/${sid}`, form);
      setError(undefined);
    } catch (err) {
      setError((err as Error).message);
    }
    // Made or refused, the table then shows what the server holds.
    await load();
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
                class="narrow"
                aria-label={`Capacity of ${worker.friendly_name} on ${c.task_channel_unique_name}`}
                value={c.configured_capacity}
                onChange={(e) => {
                  const value = (e.target as HTMLInputElement).value;
                  void change(c.sid, { Capacity: value }, { configured_capacity: value });
                }}
              />
            </td>
            <td>
              <input
                type="checkbox"
                aria-label={`${worker.friendly_name} available on ${c.task_channel_unique_name}`}
                checked={c.available}
                onChange={(e) => {
                  const checked = (e.target as HTMLInputElement).checked;
                  void change(c.sid, { Available: String(checked) }, { available: checked });
                }}
              />
            </td>
            <td>{c.assigned_tasks}</td>
          </tr>
        ))}
      </tbody>
    </table>
  );
}

/** A worker-scoped sign-in: a token for this worker only (what the Worker SDK gets: its own activity,
 *  reservations and tasks), valid for a shift, for the agent to paste on the sign-in page. */
function SignInToken({ ws, worker }: { ws: string; worker: any }) {
  const [hours, setHours] = useState(8);
  const [issued, setIssued] = useState<{ token: string; expires: string }>();
  const [outcome, submit] = useFormOutcome();
  const issue = (e: Event) => {
    e.preventDefault();
    return submit(async () => {
      const r = await api('POST', '/switchboard/v1/Tokens', { WorkspaceSid: ws, WorkerSid: worker.sid, Role: 'worker', Type: 'access', Identity: worker.friendly_name, Ttl: hours * 3600 });
      setIssued({ token: r.token, expires: new Date(r.expires_at).toLocaleString() });
    }, `Sign-in token for ${worker.friendly_name} issued`);
  };
  return (
    <form class="editor" onSubmit={issue} aria-label={`Sign-in for ${worker.friendly_name}`}>
      <label class="inline">
        Valid for
        <select value={hours} onChange={(e) => setHours(Number((e.target as HTMLSelectElement).value))}>
          {[1, 4, 8, 12, 24].map((h) => (
            <option value={h}>
              {h} hour{h === 1 ? '' : 's'}
            </option>
          ))}
        </select>
      </label>
      <button type="submit">Issue sign-in token</button>
      <FormMessage outcome={outcome} />
      {issued ? (
        <>
          <label>
            Sign-in token of {worker.friendly_name} (valid until {issued.expires})
            <textarea readOnly rows={3} value={issued.token} class="token" />
          </label>
          <p class="hint">
            {worker.friendly_name} opens this console, chooses "Sign in as an agent" and pastes it: the desk is theirs, and the token can do only what a
            worker may.
          </p>
        </>
      ) : null}
    </form>
  );
}

export function Workers({ ws }: { ws: string }) {
  const [activities, setActivities] = useState<any[]>([]);
  const [attributes, setAttributes] = useState('{}');
  const [name, setName] = useState('');
  const [activityFilter, setActivityFilter] = useState('');
  const [outcome, submitForm] = useFormOutcome();
  // One worker's panel open at a time: its attribute editor, channels or sign-in.
  const [open, setOpen] = useState<{ sid: string; panel: 'attributes' | 'channels' | 'signin' }>();
  const problem = jsonObjectProblem(attributes);
  const query = workerSearch(name, activityFilter);
  const pages = usePages((cursor: string | undefined) => twilioPage(cursor ?? `/v1/Workspaces/${ws}/Workers?${query}`, 'workers'), `${ws}?${query}`);
  const activitiesError = useLoadError(() => twilioAll(`/v1/Workspaces/${ws}/Activities?PageSize=100`, 'activities').then(setActivities), [ws]);
  const create = async (e: Event) => {
    e.preventDefault();
    const form = e.target as HTMLFormElement;
    const data = new FormData(form);
    const workerName = String(data.get('name'));
    await submitForm(async () => {
      await api('POST', `/v1/Workspaces/${ws}/Workers`, { FriendlyName: workerName, Attributes: attributes, ActivitySid: String(data.get('activity') || '') });
      form.reset();
      setAttributes('{}');
      await pages.reload();
    }, `Worker ${workerName} created`);
  };
  const setActivity = (sid: string, activitySid: string) =>
    submitForm(async () => {
      await api('POST', `/v1/Workspaces/${ws}/Workers/${sid}`, { ActivitySid: activitySid });
      await pages.reload();
    }, 'Activity changed');
  const isOpen = (sid: string, panel: 'attributes' | 'channels' | 'signin') => open !== undefined && open.sid === sid && open.panel === panel;
  const toggle = (sid: string, panel: 'attributes' | 'channels' | 'signin') => setOpen(isOpen(sid, panel) ? undefined : { sid, panel });
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
      <form class="filters" role="search" aria-label="Find workers" onSubmit={(e) => e.preventDefault()}>
        <label class="inline">
          Name contains
          <input type="search" value={name} onInput={(e) => setName((e.target as HTMLInputElement).value)} />
        </label>
        <label class="inline">
          Activity
          <select value={activityFilter} onChange={(e) => setActivityFilter((e.target as HTMLSelectElement).value)}>
            <option value="">any</option>
            {activities.map((a) => (
              <option value={a.sid}>{a.friendly_name}</option>
            ))}
          </select>
        </label>
      </form>
      <LoadError error={activitiesError} what="The activities could not be read" />
      {pages.error ? <p role="alert" class="error">{pages.error}</p> : null}
      <div class="table-wrap">
        <table>
          <caption>Workers by name</caption>
          <thead>
            <tr>
              <th scope="col">Name</th>
              <th scope="col">Activity</th>
              <th scope="col">Attributes</th>
              <th scope="col">More</th>
            </tr>
          </thead>
          <tbody>
            {pages.page?.items.map((w) => (
              <tr data-worker={w.friendly_name}>
                <th scope="row">{w.friendly_name}</th>
                <td>
                  <select aria-label={`Activity of ${w.friendly_name}`} value={w.activity_sid} onChange={(e) => setActivity(w.sid, (e.target as HTMLSelectElement).value)}>
                    {activities.map((a) => (
                      <option value={a.sid}>{a.friendly_name}</option>
                    ))}
                  </select>
                </td>
                <td class="attributes">
                  {isOpen(w.sid, 'attributes') ? (
                    <JsonObjectEditor
                      label={`Attributes of ${w.friendly_name}`}
                      initial={w.attributes}
                      save={async (text) => {
                        await api('POST', `/v1/Workspaces/${ws}/Workers/${w.sid}`, { Attributes: text });
                        await pages.reload();
                      }}
                      close={() => setOpen(undefined)}
                    />
                  ) : (
                    <>
                      <AttributeFields json={w.attributes} label={`Attributes of ${w.friendly_name}`} compact />
                      <button type="button" class="link" onClick={() => toggle(w.sid, 'attributes')}>
                        Edit attributes<span class="visually-hidden"> of {w.friendly_name}</span>
                      </button>
                    </>
                  )}
                </td>
                <td>
                  <div class="row-actions">
                    <button type="button" class="link" aria-expanded={isOpen(w.sid, 'channels')} onClick={() => toggle(w.sid, 'channels')}>
                      {isOpen(w.sid, 'channels') ? 'Hide channels' : 'Channels'}
                    </button>
                    <button type="button" class="link" aria-expanded={isOpen(w.sid, 'signin')} onClick={() => toggle(w.sid, 'signin')}>
                      Sign-in
                    </button>
                    <a href={`#/${ws}/desk/${w.sid}`}>Desk</a>
                  </div>
                  {isOpen(w.sid, 'channels') ? <WorkerChannels ws={ws} worker={w} /> : null}
                  {isOpen(w.sid, 'signin') ? <SignInToken ws={ws} worker={w} /> : null}
                </td>
              </tr>
            ))}
          </tbody>
        </table>
      </div>
      <Pager label="Workers" pages={pages} pageSize={WORKER_PAGE} />
    </section>
  );
}
