// A Workflow task of a definition: its state and fields, the triggers its state allows (run with the fields
// changed here; a guard that does not hold comes back as the API's message and changes nothing), and its
// history. Also the form that creates a task, with its fields and an optional first trigger.
import { useState } from 'preact/hooks';
import { workflowApi } from './api.ts';
import { FormMessage, useFormOutcome } from './formMessage.tsx';
import { LoadError, useLoadError } from './loadError.tsx';

interface FieldDefinition {
  name: string;
  type: string;
  valueConstraints?: { acceptableValues?: unknown[] };
}

/** A field's typed-in text as the value the definition's type wants (the API checks it again). */
export function fieldValue(type: string, text: string): unknown {
  if (type === 'Decimal' && text.trim() !== '' && !Number.isNaN(Number(text))) return Number(text);
  if (type === 'Boolean' && (text === 'true' || text === 'false')) return text === 'true';
  return text;
}

const asText = (v: unknown) => (v === undefined || v === null ? '' : typeof v === 'string' ? v : String(v));

/** Inputs for a definition's fields; `values` holds the text typed so far. */
function FieldInputs({ schema, values, onChange, required = [] }: { schema: FieldDefinition[]; values: Record<string, string>; onChange: (name: string, text: string) => void; required?: string[] }) {
  return (
    <div class="grid-2">
      {schema.map((f) => {
        const label = `${f.name}${required.includes(f.name) ? ' (required)' : ''}`;
        const choices = f.valueConstraints?.acceptableValues ?? (f.type === 'Boolean' ? [true, false] : undefined);
        return (
          <label>
            {label}
            {choices ? (
              <select value={values[f.name] ?? ''} onChange={(e) => onChange(f.name, (e.target as HTMLSelectElement).value)}>
                <option value="">—</option>
                {choices.map((c) => (
                  <option value={asText(c)}>{asText(c)}</option>
                ))}
              </select>
            ) : (
              <input
                value={values[f.name] ?? ''}
                inputMode={f.type === 'Decimal' ? 'decimal' : undefined}
                placeholder={f.type === 'DateTime' ? '2026-05-01T09:00:00Z' : f.type === 'Decimal' ? 'a number' : ''}
                onInput={(e) => onChange(f.name, (e.target as HTMLInputElement).value)}
              />
            )}
          </label>
        );
      })}
    </div>
  );
}

/** The fields whose text differs from `before`, as the API's [{name, value}]. */
function changedFields(schema: FieldDefinition[], values: Record<string, string>, before: Record<string, string>) {
  return schema.filter((f) => (values[f.name] ?? '') !== (before[f.name] ?? '') && (values[f.name] ?? '') !== '').map((f) => ({ name: f.name, value: fieldValue(f.type, values[f.name]!) }));
}

export function NewWorkflowTask({ definition, onCreated }: { definition: any; onCreated: (task: any) => void }) {
  const schema: FieldDefinition[] = definition.fieldSchema ?? [];
  const initial = definition.initialState?.name;
  const startTriggers = [...new Set<string>((definition.transitions ?? []).filter((t: any) => t.fromState === initial).map((t: any) => t.trigger))];
  const [values, setValues] = useState<Record<string, string>>({});
  const [trigger, setTrigger] = useState('');
  const [outcome, submit] = useFormOutcome();
  const create = (e: Event) => {
    e.preventDefault();
    return submit(async () => {
      const query = trigger ? `?trigger=${encodeURIComponent(trigger)}` : '';
      const task = await workflowApi(`/tasks${query}`, { method: 'POST', body: { taskDefinitionId: definition.id, fields: changedFields(schema, values, {}) } });
      setValues({});
      onCreated(task);
    }, 'Task created');
  };
  return (
    <form class="card wide" onSubmit={create} aria-label="New task">
      <h3>New task</h3>
      <FieldInputs schema={schema} values={values} onChange={(name, text) => setValues({ ...values, [name]: text })} required={definition.initialState?.requiredFields ?? []} />
      {startTriggers.length ? (
        <label class="inline">
          Then run
          <select value={trigger} onChange={(e) => setTrigger((e.target as HTMLSelectElement).value)}>
            <option value="">no trigger (stay in {initial})</option>
            {startTriggers.map((t) => (
              <option value={t}>{t}</option>
            ))}
          </select>
        </label>
      ) : null}
      <FormMessage outcome={outcome} />
      <button type="submit">Create task</button>
    </form>
  );
}

export function WorkflowTaskPanel({ taskId, definition, onChanged }: { taskId: string; definition: any; onChanged: () => void }) {
  const schema: FieldDefinition[] = definition.fieldSchema ?? [];
  const [task, setTask] = useState<any>();
  const [values, setValues] = useState<Record<string, string>>({});
  const [history, setHistory] = useState<any[]>([]);
  const [outcome, submit] = useFormOutcome();
  const current = (t: any) => Object.fromEntries((t?.fields ?? []).map((f: any) => [f.name, asText(f.value)]));
  const load = async () => {
    const [t, h] = await Promise.all([workflowApi(`/tasks/${taskId}`), workflowApi(`/tasks/${taskId}/history`)]);
    setTask(t);
    setValues(current(t));
    setHistory(h.values);
  };
  const loadError = useLoadError(load, [taskId]);
  if (loadError)
    return (
      <div class="card wide" role="region" aria-label={`Task ${taskId}`}>
        <LoadError error={loadError} what="The task could not be read" />
      </div>
    );
  if (!task) return null;
  const triggers = (definition.transitions ?? []).filter((t: any) => t.fromState === task.state);
  /** Runs a trigger (or none: saves the fields), with the fields changed here. */
  const run = (trigger: string | undefined) =>
    submit(async () => {
      const query = trigger ? `?trigger=${encodeURIComponent(trigger)}` : '';
      await workflowApi(`/tasks/${taskId}${query}`, { method: 'POST', body: { fields: changedFields(schema, values, current(task)) } });
      await load();
      onChanged();
    }, trigger ? `Trigger ${trigger} run` : 'Fields saved');
  return (
    <div class="card wide" role="region" aria-label={`Task ${taskId}`}>
      <h3>
        Task <span class="sid">{taskId}</span> — <span data-testid="wftask-state">{task.state}</span>
      </h3>
      <FieldInputs schema={schema} values={values} onChange={(name, text) => setValues({ ...values, [name]: text })} />
      <div class="actions" role="group" aria-label="Triggers">
        {triggers.length === 0 ? <span class="hint">No trigger leaves {task.state}.</span> : null}
        {triggers.map((t: any) => (
          <button type="button" onClick={() => run(t.trigger)} title={t.guard ? `Guard: ${t.guard}` : undefined}>
            Run {t.trigger} → {t.toState}
          </button>
        ))}
        <button type="button" class="secondary" onClick={() => run(undefined)}>
          Save fields
        </button>
      </div>
      <FormMessage outcome={outcome} />
      <h4>History</h4>
      <ol class="timeline" aria-label="Task history">
        {history.map((c) => (
          <li data-attribute={c.attributeName}>
            <time dateTime={c.asAtModified}>{new Date(c.asAtModified).toLocaleTimeString()}</time> {c.action} <strong>{c.attributeName}</strong>:{' '}
            {JSON.stringify(c.previousValue ?? null)} → {JSON.stringify(c.newValue)} <span class="hint">by {c.userIdModified}</span>
          </li>
        ))}
      </ol>
    </div>
  );
}
