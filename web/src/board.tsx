// The Opsflow board: a category's tasks in three columns by status type (TODO, IN_PROGRESS, COMPLETED), each
// newest first with its total and "Show more" until every task is shown. Cards show the status's name, the
// priority and the assignee. A card moves by drag and drop, or with its "Move to" menu (keyboard), to the
// column's default status (task/change_status, so the SLA timestamps follow). Tasks are created from a form
// and opened to edit (name, priority, description, assignee, status) and comment (opsflowTask.tsx).
import { useEffect, useState } from 'preact/hooks';
import { opsflow, opsflowAll } from './api.ts';
import { NewOpsTask, OpsTaskPanel, statusName } from './opsflowTask.tsx';

export const COLUMNS = [
  ['TODO', 'To do'],
  ['IN_PROGRESS', 'In progress'],
  ['COMPLETED', 'Completed'],
] as const;

type StatusType = (typeof COLUMNS)[number][0];
const COLUMN_PAGE = 20;

/** The status a task takes when moved to a column: the column's default, else its first. */
export function columnStatus(category: any, type: StatusType): string | undefined {
  const options: { status_id: string; is_default?: boolean }[] = category?.status_options?.[type] ?? [];
  return (options.find((o) => o.is_default) ?? options[0])?.status_id;
}

interface Column {
  tasks: any[];
  total: number;
}

export function Board() {
  const [categories, setCategories] = useState<any[]>([]);
  // The task types of the category shown (and which category they are of, so a form never offers another's).
  const [types, setTypes] = useState<{ categoryId?: string; list: any[] }>({ list: [] });
  const [categoryId, setCategoryId] = useState<string>();
  const [columns, setColumns] = useState<Partial<Record<StatusType, Column>>>({});
  const [error, setError] = useState<string>();
  const [over, setOver] = useState<StatusType>();
  const [open, setOpen] = useState<string>();
  const [creating, setCreating] = useState(false);
  const category = categories.find((c) => c.category_id === categoryId);
  /** A column's tasks, newest first: the first `shown` of them (at least one page). */
  const loadColumn = async (id: string, type: StatusType, shown: number): Promise<Column> => {
    const r = await opsflow('task/list', { category_id: id, status_type: type, query: { sort: [{ key: 'created_at', desc: true }], page: { start: 1, limit: Math.max(COLUMN_PAGE, shown) } } });
    return { tasks: r.results, total: r.total_count };
  };
  /** Every column again, each showing as many tasks as it did (`fresh`: one page each). */
  const loadColumns = async (id: string | undefined, fresh = false) => {
    if (!id) return setColumns({});
    try {
      const loaded = await Promise.all(COLUMNS.map(([type]) => loadColumn(id, type, fresh ? 0 : (columns[type]?.tasks.length ?? 0))));
      setColumns(Object.fromEntries(COLUMNS.map(([type], i) => [type, loaded[i]])));
      setError(undefined);
    } catch (err) {
      setError((err as Error).message);
    }
  };
  const more = async (type: StatusType) => {
    if (!categoryId) return;
    try {
      const c = await loadColumn(categoryId, type, (columns[type]?.tasks.length ?? 0) + COLUMN_PAGE);
      setColumns((cols) => ({ ...cols, [type]: c }));
    } catch (err) {
      setError((err as Error).message);
    }
  };
  useEffect(() => {
    opsflowAll('task-category/list', {}).then(
      (all) => {
        setCategories(all);
        setCategoryId(all[0]?.category_id);
      },
      (e) => setError(e.message),
    );
  }, []);
  useEffect(() => {
    setColumns({});
    setOpen(undefined);
    setCreating(false);
    void loadColumns(categoryId, true);
    let current = true;
    if (categoryId) opsflowAll('task-type/list', { category_id: categoryId }).then((list) => current && setTypes({ categoryId, list }), (e) => setError(e.message));
    return () => {
      current = false;
    };
  }, [categoryId]);
  const move = async (taskId: string, type: StatusType) => {
    const status = columnStatus(category, type);
    if (!status) return setError(`The category has no ${type} status`);
    try {
      await opsflow('task/change_status', { task_id: taskId, status_id: status });
      setError(undefined);
      await loadColumns(categoryId);
    } catch (err) {
      setError((err as Error).message);
    }
  };
  return (
    <section>
      <h1>Opsflow board</h1>
      <div class="filters">
        <label class="inline">
          Category
          <select value={categoryId} onChange={(e) => setCategoryId((e.target as HTMLSelectElement).value)}>
            {categories.map((c) => (
              <option value={c.category_id}>{c.name}</option>
            ))}
          </select>
        </label>
        <button type="button" onClick={() => setCreating(!creating)} aria-expanded={creating} disabled={!category || types.categoryId !== categoryId}>
          New task
        </button>
      </div>
      {error ? <p role="alert" class="error">{error}</p> : null}
      {categories.length === 0 && !error ? <p>No category yet: create one through the Opsflow API (task-category/create).</p> : null}
      {creating && category && types.categoryId === categoryId ? (
        <NewOpsTask
          category={category}
          types={types.list}
          onCreated={async (task) => {
            setCreating(false);
            await loadColumns(categoryId);
            setOpen(task.task_id);
          }}
          onCancel={() => setCreating(false)}
        />
      ) : null}
      {open && category ? <OpsTaskPanel taskId={open} category={category} onChanged={() => loadColumns(categoryId)} close={() => setOpen(undefined)} /> : null}
      <div class="board">
        {COLUMNS.map(([type, label]) => {
          const column = columns[type];
          return (
            <div
              class={over === type ? 'column over' : 'column'}
              role="region"
              aria-label={label}
              data-column={type}
              onDragOver={(e) => {
                e.preventDefault();
                setOver(type);
              }}
              onDragLeave={() => setOver(undefined)}
              onDrop={(e) => {
                e.preventDefault();
                setOver(undefined);
                const id = e.dataTransfer?.getData('text/plain');
                if (id) void move(id, type);
              }}
            >
              <div class="column-head">
                <h2>{label}</h2>
                <span class="count">
                  {column?.total ?? 0}
                  <span class="visually-hidden"> tasks</span>
                </span>
              </div>
              {column?.tasks.map((t) => (
                <article class="ticket" draggable data-task={t.task_id} aria-label={t.name} onDragStart={(e) => e.dataTransfer?.setData('text/plain', t.task_id)}>
                  <h3>
                    <button type="button" class="link" onClick={() => setOpen(t.task_id)}>
                      {t.name}
                    </button>
                  </h3>
                  <p class="hint">
                    <span class="status-name" data-testid="status-name">
                      {statusName(category, t.status_id)}
                    </span>{' '}
                    · {t.priority.toLowerCase()} priority{t.assignee ? ` · ${t.assignee}` : ''}
                  </p>
                  <label class="inline">
                    Move to
                    <select aria-label={`Move ${t.name} to`} value={type} onChange={(e) => move(t.task_id, (e.target as HTMLSelectElement).value as StatusType)}>
                      {COLUMNS.map(([value, name]) => (
                        <option value={value}>{name}</option>
                      ))}
                    </select>
                  </label>
                </article>
              ))}
              {column && column.tasks.length < column.total ? (
                <button type="button" class="secondary more" onClick={() => more(type)}>
                  Show more ({column.tasks.length} of {column.total} shown)
                </button>
              ) : null}
            </div>
          );
        })}
      </div>
    </section>
  );
}
