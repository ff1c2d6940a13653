// The workspace's events over a chosen window, in the order they were logged (the Events list's own order),
// paged, filtered by type, refreshed live; "Latest" walks to the last page.
import { useState } from 'preact/hooks';
import { FilterInput } from './filterInput.tsx';
import { useLiveRefresh } from './live.ts';
import { Pager, twilioPage, usePages } from './paging.tsx';

const PAGE = 50;
const WINDOWS = [5, 15, 60, 240, 1440];

export function Events({ ws }: { ws: string }) {
  const [type, setType] = useState('');
  const [minutes, setMinutes] = useState(15);
  const q = new URLSearchParams({ PageSize: String(PAGE), Minutes: String(minutes) });
  if (type) q.set('EventType', type);
  const first = `/v1/Workspaces/${ws}/Events?${q}`;
  const pages = usePages((cursor: string | undefined) => twilioPage(cursor ?? first, 'events'), first);
  useLiveRefresh(ws, pages.reload);
  return (
    <section>
      <h1>Events</h1>
      <form class="filters" role="search" aria-label="Event filters" onSubmit={(e) => e.preventDefault()}>
        <label class="inline">
          Over the last
          <select value={minutes} onChange={(e) => setMinutes(Number((e.target as HTMLSelectElement).value))}>
            {WINDOWS.map((m) => (
              <option value={m}>{m < 60 ? `${m} minutes` : `${m / 60} hour${m === 60 ? '' : 's'}`}</option>
            ))}
          </select>
        </label>
        <label class="inline">
          Event type
          <FilterInput placeholder="e.g. task.created" onApply={setType} />
        </label>
        <button type="button" class="secondary" onClick={() => void pages.last()} disabled={!pages.page?.next}>
          Latest
        </button>
      </form>
      {pages.error ? <p role="alert" class="error">{pages.error}</p> : null}
      <div class="table-wrap">
        <table>
          <caption>Events, oldest first</caption>
          <thead>
            <tr>
              <th scope="col">When</th>
              <th scope="col">Type</th>
              <th scope="col">Resource</th>
              <th scope="col">Description</th>
            </tr>
          </thead>
          <tbody>
            {pages.page?.items.map((e) => (
              <tr data-event={e.event_type}>
                <td>
                  <time dateTime={e.event_date}>{new Date(e.event_date).toLocaleString()}</time>
                </td>
                <th scope="row">{e.event_type}</th>
                <td>{e.resource_type === 'task' ? <a href={`#/${ws}/tasks/${e.resource_sid}`} class="sid">{e.resource_sid}</a> : <span class="sid">{e.resource_sid}</span>}</td>
                <td>{e.description}</td>
              </tr>
            ))}
          </tbody>
        </table>
      </div>
      <Pager label="Events" pages={pages} pageSize={PAGE} />
    </section>
  );
}
