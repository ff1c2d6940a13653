// The Opsflow board: a category's tasks in three columns by status type (TODO, IN_PROGRESS, COMPLETED). A card
// moves by drag and drop, or with its "Move to" menu (keyboard), to the column's default status
// (task/change_status, so the SLA timestamps follow).
import { useEffect, useState } from 'preact/hooks';
import { opsflow } from './api.ts';

const COLUMNS = [
  ['TODO', 'To do'],
  ['IN_PROGRESS', 'In progress'],
  ['COMPLETED', 'Completed'],
] as const;

type StatusType = (typeof COLUMNS)[number][0];

/** The status a task takes when moved to a column: the column's default, else its first. */
export function columnStatus(category: any, type: StatusType): string | undefined {
  const options: { status_id: string; is_default?: boolean }[] = category?.status_options?.[type] ?? [];
  return (options.find((o) => o.is_default) ?? options[0])?.status_id;
}

export function Board() {
  const [categories, setCategories] = useState<any[]>([]);
  const [categoryId, setCategoryId] = useState<string>();
  const [tasks, setTasks] = useState<any[]>([]);
  const [error, setError] = useState<string>();
  const [over, setOver] = useState<StatusType>();
  const category = categories.find((c) => c.category_id === categoryId);
  const loadTasks = async (id: string | undefined) => {
    if (!id) return setTasks([]);
    const r = await opsflow('task/list', { category_id: id, query: { sort: [{ key: 'created_at', desc: true }], page: { limit: 200 } } });
    setTasks(r.results);
  };
  useEffect(() => {
    opsflow('task-category/list', {}).then(
      (r) => {
        setCategories(r.results);
        const first = r.results[0]?.category_id;
        setCategoryId(first);
        void loadTasks(first);
      },
      (e) => setError(e.message),
    );
  }, []);
  const move = async (taskId: string, type: StatusType) => {
    const status = columnStatus(category, type);
    if (!status) return setError(`The category has no ${type} status`);
    try {
      await opsflow('task/change_status', { task_id: taskId, status_id: status });
      setError(undefined);
      await loadTasks(categoryId);
    } catch (err) {
      setError((err as Error).message);
    }
  };
  return (
    <section>
      <h1>Opsflow board</h1>
      <label class="inline">
        Category
        <select
          value={categoryId}
          onChange={(e) => {
            const id = (e.target as HTMLSelectElement).value;
            setCategoryId(id);
            void loadTasks(id);
          }}
        >
          {categories.map((c) => (
            <option value={c.category_id}>{c.name}</option>
          ))}
        </select>
      </label>
      {error ? <p role="alert" class="error">{error}</p> : null}
      <div class="board">
        {COLUMNS.map(([type, label]) => (
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
            <h2>
              {label} <span class="count">{tasks.filter((t) => t.status_type === type).length}</span>
            </h2>
            {tasks
              .filter((t) => t.status_type === type)
              .map((t) => (
                <article class="ticket" draggable data-task={t.task_id} onDragStart={(e) => e.dataTransfer?.setData('text/plain', t.task_id)}>
                  <h3>{t.name}</h3>
                  <p class="hint">
                    {t.priority} · {t.status_id}
                    {t.assignee ? ` · ${t.assignee}` : ''}
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
          </div>
        ))}
      </div>
    </section>
  );
}
