// The workspace's events, newest first, refreshed live, filtered by type.
import { useState } from 'preact/hooks';
import { api } from './api.ts';
import { useLiveRefresh } from './live.ts';

export function Events({ ws }: { ws: string }) {
  const [type, setType] = useState('');
  const [events, setEvents] = useState<any[]>([]);
  const refresh = async () => {
    const r = await api('GET', `/v1/Workspaces/${ws}/Events?PageSize=50${type ? `&EventType=${encodeURIComponent(type)}` : ''}`);
    setEvents(r.events);
  };
  useLiveRefresh(ws + type, refresh);
  return (
    <section>
      <h1>Events</h1>
      <label class="inline">
        Event type
        <input value={type} placeholder="e.g. task.created" onChange={(e) => setType((e.target as HTMLInputElement).value.trim())} />
      </label>
      <table>
        <caption>Latest events</caption>
        <thead>
          <tr>
            <th scope="col">When</th>
            <th scope="col">Type</th>
            <th scope="col">Resource</th>
            <th scope="col">Description</th>
          </tr>
        </thead>
        <tbody>
          {events.map((e) => (
            <tr data-event={e.event_type}>
              <td>
                <time dateTime={e.event_date}>{new Date(e.event_date).toLocaleString()}</time>
              </td>
              <th scope="row">{e.event_type}</th>
              <td>
                {e.resource_type === 'task' ? <a href={`#/${ws}/tasks/${e.resource_sid}`}>{e.resource_sid}</a> : <code>{e.resource_sid}</code>}
              </td>
              <td>{e.description}</td>
            </tr>
          ))}
        </tbody>
      </table>
    </section>
  );
}
