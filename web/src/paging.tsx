// Every list in the console is paged the way its API pages: TaskRouter's next_page_url, the Workflow face's
// page tokens, Opsflow's start/limit with a total. `usePages` keeps the cursor of each page visited (so
// Previous needs nothing from the API), reloads the current page on demand (live updates), and starts again
// from the first page when the list's filters change. `Pager` says where the reader is and whether more exist.
import { useEffect, useRef, useState } from 'preact/hooks';
import { api, pathOf } from './api.ts';

export interface Page<T, C> {
  items: T[];
  /** The cursor of the next page; undefined on the last page. */
  next?: C;
  /** The number of items in the whole list, when the API tells it. */
  total?: number;
}

export interface Pages<T, C> {
  page: Page<T, C> | undefined;
  /** 0 for the first page. */
  index: number;
  error: string | undefined;
  reload(): Promise<void>;
  next(): void;
  previous(): void;
  /** Walks to the last page (every page's cursor kept, so Previous goes back one at a time). */
  last(): Promise<void>;
}

/** Pages of a list; `resetKey` names its filters (a change goes back to the first page). */
export function usePages<T, C>(load: (cursor: C | undefined) => Promise<Page<T, C>>, resetKey: string): Pages<T, C> {
  // The cursors of the pages visited, for the filters named by `key`; other filters mean the first page.
  const [nav, setNav] = useState<{ key: string; cursors: (C | undefined)[] }>({ key: resetKey, cursors: [undefined] });
  const cursors = nav.key === resetKey ? nav.cursors : [undefined];
  // The page shown and its index, set together (the index moves only when its page has arrived).
  const [loaded, setLoaded] = useState<{ page: Page<T, C>; index: number }>();
  const [error, setError] = useState<string>();
  const latest = useRef({ load, cursors, generation: 0 });
  latest.current.load = load;
  latest.current.cursors = cursors;
  const reload = async () => {
    const generation = ++latest.current.generation;
    const visited = latest.current.cursors;
    try {
      const p = await latest.current.load(visited[visited.length - 1]);
      // A slower, older request must not overwrite what a newer one showed.
      if (generation !== latest.current.generation) return;
      setLoaded({ page: p, index: visited.length - 1 });
      setError(undefined);
    } catch (err) {
      if (generation === latest.current.generation) setError((err as Error).message);
    }
  };
  useEffect(() => void reload(), [resetKey, nav]);
  const page = loaded?.page;
  return {
    page,
    index: loaded?.index ?? 0,
    error,
    reload,
    next: () => {
      if (page?.next !== undefined && loaded!.index === cursors.length - 1) setNav({ key: resetKey, cursors: [...cursors, page.next] });
    },
    previous: () => setNav({ key: resetKey, cursors: cursors.length > 1 ? cursors.slice(0, -1) : cursors }),
    last: async () => {
      const walked = [...cursors];
      let p = page;
      try {
        while (p?.next !== undefined) {
          walked.push(p.next);
          p = await latest.current.load(p.next);
        }
      } catch (err) {
        setError((err as Error).message);
      }
      setNav({ key: resetKey, cursors: walked });
    },
  };
}

/** A TaskRouter list page: the items under `key`, the next page's URL as the cursor. */
export async function twilioPage<T = any>(url: string, key: string): Promise<Page<T, string>> {
  const r = await api('GET', url);
  return { items: r[key] as T[], next: r.meta?.next_page_url ? pathOf(r.meta.next_page_url) : undefined };
}

/** Every item of a TaskRouter list, page by page (for choices that must offer all: activities, queues in a
 *  form). */
export async function twilioAll<T = any>(url: string, key: string): Promise<T[]> {
  const all: T[] = [];
  for (let next: string | undefined = url; next !== undefined; ) {
    const p: Page<T, string> = await twilioPage<T>(next, key);
    all.push(...p.items);
    next = p.next;
  }
  return all;
}

/** The Previous / Next controls of a list, and where the reader is: "51–100 of 250" or "51–100; more on the next
 *  page" or "201–223, the last". */
export function Pager<T, C>({ label, pages, pageSize }: { label: string; pages: Pages<T, C>; pageSize: number }) {
  const { page, index } = pages;
  if (!page) return null;
  const first = index * pageSize + 1;
  const last = index * pageSize + page.items.length;
  const more = page.next !== undefined;
  const where =
    page.items.length === 0
      ? index === 0
        ? `No ${label.toLowerCase()}`
        : 'Nothing on this page'
      : `${label} ${first}–${last}${page.total !== undefined ? ` of ${page.total}` : ''}${more ? ' · more on the next page' : index > 0 || page.total !== undefined ? '' : ', all shown'}`;
  if (index === 0 && !more) {
    return (
      <p class="pager hint" data-testid="pager">
        {where}
      </p>
    );
  }
  return (
    <nav class="pager" aria-label={`${label} pages`}>
      <button type="button" class="secondary" onClick={pages.previous} disabled={index === 0}>
        Previous
      </button>
      <span data-testid="pager" aria-live="polite">
        {where}
      </span>
      <button type="button" class="secondary" onClick={pages.next} disabled={!more}>
        Next
      </button>
    </nav>
  );
}
