// An Opsflow task on the board: the form that creates one (type, status, priority, assignee, description), and
// the panel that edits one (each changed part through its own verb: update, update_description,
// change_assignee, change_status) with its comments, oldest first, and a form to add one.
import { useState } from 'preact/hooks';
import { opsflow, opsflowAll } from './api.ts';
import { FormMessage, SubmitOrCancel, useFormOutcome } from './formMessage.tsx';
import { LoadError, useLoadError } from './loadError.tsx';

const PRIORITIES = ['HIGH', 'MEDIUM', 'LOW'] as const;
const STATUS_TYPES = [
  ['TODO', 'To do'],
  ['IN_PROGRESS', 'In progress'],
  ['COMPLETED', 'Completed'],
] as const;

/** A status's name as its category names it (a task stores the id). */
export function statusName(category: any, statusId: string): string {
  for (const [type] of STATUS_TYPES) {
    const option = (category?.status_options?.[type] ?? []).find((o: any) => o.status_id === statusId);
    if (option) return option.name;
  }
  return statusId;
}

/** The category's statuses, grouped by column, as <option>s named as the category names them. */
function StatusOptions({ category }: { category: any }) {
  return (
    <>
      {STATUS_TYPES.map(([type, label]) => (
        <optgroup label={label}>
          {(category.status_options?.[type] ?? []).map((o: any) => (
            <option value={o.status_id}>{o.name}</option>
          ))}
        </optgroup>
      ))}
    </>
  );
}

/** An assignee: one of the task type's pool when it has one, else any user id. */
function AssigneeInput({ type, value, onChange }: { type: any; value: string; onChange: (v: string) => void }) {
  const pool: string[] = type?.assignee_pool ?? [];
  return (
    <label>
      Assignee
      {pool.length ? (
        <select value={value} onChange={(e) => onChange((e.target as HTMLSelectElement).value)}>
          <option value="">nobody</option>
          {pool.map((p) => (
            <option value={p}>{p}</option>
          ))}
        </select>
      ) : (
        <input value={value} onInput={(e) => onChange((e.target as HTMLInputElement).value)} maxLength={256} />
      )}
    </label>
  );
}

export function NewOpsTask({ category, types, onCreated, onCancel }: { category: any; types: any[]; onCreated: (task: any) => void; onCancel: () => void }) {
  const [typeId, setTypeId] = useState<string>(types[0]?.task_type_id ?? '');
  const [assignee, setAssignee] = useState('');
  const [priority, setPriority] = useState('MEDIUM');
  const [outcome, submit] = useFormOutcome();
  const type = types.find((t) => t.task_type_id === typeId) ?? types[0];
  const create = (e: Event) => {
    e.preventDefault();
    const d = new FormData(e.target as HTMLFormElement);
    return submit(async () => {
      const description = String(d.get('description') ?? '');
      // SpaceONE requires project_id; '*' is the console's "no project" for a type that needs none.
      const project = String(d.get('project') ?? '').trim();
      const task = await opsflow('task/create', {
        name: String(d.get('name')),
        task_type_id: type?.task_type_id,
        project_id: project || '*',
        status_id: String(d.get('status')),
        priority,
        ...(description ? { description } : {}),
        ...(assignee ? { assignee } : {}),
      });
      onCreated(task);
    }, 'Task created');
  };
  return (
    <form class="card wide" onSubmit={create} aria-label="New Opsflow task">
      <h2>New task in {category.name}</h2>
      {types.length === 0 ? <p class="error">This category has no task type yet: create one through the API (task-type/create).</p> : null}
      <div class="grid-2">
        <label>
          Name
          <input name="name" required maxLength={256} />
        </label>
        <label>
          Type
          <select value={type?.task_type_id} onChange={(e) => setTypeId((e.target as HTMLSelectElement).value)}>
            {types.map((t) => (
              <option value={t.task_type_id}>{t.name}</option>
            ))}
          </select>
        </label>
        <label>
          Status
          <select name="status">
            <StatusOptions category={category} />
          </select>
        </label>
        <label>
          Priority
          <select value={priority} onChange={(e) => setPriority((e.target as HTMLSelectElement).value)}>
            {PRIORITIES.map((p) => (
              <option value={p}>{p.toLowerCase()}</option>
            ))}
          </select>
        </label>
        <AssigneeInput type={type} value={assignee} onChange={setAssignee} />
        <label>
          Project{type?.require_project ? '' : ' (optional)'}
          <input name="project" required={!!type?.require_project} maxLength={128} />
        </label>
      </div>
      <label>
        Description
        <textarea name="description" rows={3} />
      </label>
      <FormMessage outcome={outcome} />
      <SubmitOrCancel label="Create task" disabled={!type} cancel={onCancel} />
    </form>
  );
}

export function OpsTaskPanel({ taskId, category, onChanged, close }: { taskId: string; category: any; onChanged: () => Promise<void>; close: () => void }) {
  const [task, setTask] = useState<any>();
  const [type, setType] = useState<any>();
  const [draft, setDraft] = useState<{ name: string; priority: string; description: string; assignee: string; status_id: string }>();
  const [comments, setComments] = useState<any[]>([]);
  const [comment, setComment] = useState('');
  const [outcome, submit] = useFormOutcome();
  const load = async () => {
    const t = await opsflow('task/get', { task_id: taskId });
    const [ty, cs] = await Promise.all([opsflow('task-type/get', { task_type_id: t.task_type_id }), opsflowAll('comment/list', { task_id: taskId }, [{ key: 'created_at' }])]);
    setTask(t);
    setType(ty);
    setDraft({ name: t.name, priority: t.priority, description: t.description ?? '', assignee: t.assignee ?? '', status_id: t.status_id });
    setComments(cs);
  };
  const loadError = useLoadError(load, [taskId]);
  if (loadError)
    return (
      <div class="card wide" role="region" aria-label="Task">
        <div class="column-head">
          <h2>Task</h2>
          <button type="button" class="secondary" onClick={close}>
            Close
          </button>
        </div>
        <LoadError error={loadError} what="The task could not be read" />
      </div>
    );
  if (!task || !draft) return null;
  const set = (change: Partial<typeof draft>) => setDraft({ ...draft, ...change });
  const save = (e: Event) => {
    e.preventDefault();
    return submit(async () => {
      if (draft.name !== task.name || draft.priority !== task.priority) await opsflow('task/update', { task_id: taskId, name: draft.name, priority: draft.priority });
      if (draft.description !== (task.description ?? '')) await opsflow('task/update_description', { task_id: taskId, description: draft.description });
      if (draft.assignee && draft.assignee !== (task.assignee ?? '')) await opsflow('task/change_assignee', { task_id: taskId, assignee: draft.assignee });
      if (draft.status_id !== task.status_id) await opsflow('task/change_status', { task_id: taskId, status_id: draft.status_id });
      await load();
      await onChanged();
    }, 'Task saved');
  };
  const addComment = (e: Event) => {
    e.preventDefault();
    return submit(async () => {
      await opsflow('comment/create', { task_id: taskId, comment });
      setComment('');
      await load();
    }, 'Comment added');
  };
  return (
    <div class="card wide" role="region" aria-label={`Task ${task.name}`}>
      <div class="column-head">
        <h2>{task.name}</h2>
        <button type="button" class="secondary" onClick={close}>
          Close
        </button>
      </div>
      <p class="hint">
        {statusName(category, task.status_id)} · {type?.name} · created {new Date(task.created_at).toLocaleString()} by {task.created_by}
      </p>
      <form onSubmit={save} aria-label={`Edit ${task.name}`}>
        <div class="grid-2">
          <label>
            Name
            <input value={draft.name} onInput={(e) => set({ name: (e.target as HTMLInputElement).value })} required maxLength={256} />
          </label>
          <label>
            Status
            <select value={draft.status_id} onChange={(e) => set({ status_id: (e.target as HTMLSelectElement).value })}>
              <StatusOptions category={category} />
            </select>
          </label>
          <label>
            Priority
            <select value={draft.priority} onChange={(e) => set({ priority: (e.target as HTMLSelectElement).value })}>
              {PRIORITIES.map((p) => (
                <option value={p}>{p.toLowerCase()}</option>
              ))}
            </select>
          </label>
          <AssigneeInput type={type} value={draft.assignee} onChange={(assignee) => set({ assignee })} />
        </div>
        <label>
          Description
          <textarea rows={3} value={draft.description} onInput={(e) => set({ description: (e.target as HTMLTextAreaElement).value })} />
        </label>
        <button type="submit">Save task</button>
      </form>
      <FormMessage outcome={outcome} />
      <h3>Comments</h3>
      {comments.length === 0 ? <p class="hint">No comments yet.</p> : null}
      <ol class="comments" aria-label="Comments">
        {comments.map((c) => (
          <li data-comment={c.comment_id}>
            <p>{c.comment}</p>
            <p class="hint">
              {c.created_by} · <time dateTime={c.created_at}>{new Date(c.created_at).toLocaleString()}</time>
              {c.is_edited ? ' · edited' : ''}
            </p>
          </li>
        ))}
      </ol>
      <form onSubmit={addComment} aria-label="Add a comment">
        <label>
          Comment
          <textarea rows={2} value={comment} onInput={(e) => setComment((e.target as HTMLTextAreaElement).value)} required />
        </label>
        <button type="submit">Add comment</button>
      </form>
    </div>
  );
}
