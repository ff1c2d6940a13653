// Creating and editing a Workflow task definition as a form: its states (one initial), typed fields (some
// required at creation), triggers, and transitions between states on a trigger with an optional guard, with the
// state diagram as a live preview. Renaming a state, field or trigger renames what refers to it. What the form
// does not show (actions, a transition's action, display names) is kept as it was. The Workflow API validates
// the whole definition on save and its message is shown as it is.
import { useState } from 'preact/hooks';
import { workflowApi } from './api.ts';
import { SubmitOrCancel } from './formMessage.tsx';
import { StateDiagram, type Transition } from './stateDiagram.tsx';

const FIELD_TYPES = ['String', 'Decimal', 'DateTime', 'Boolean'] as const;

/** A definition document as the API takes it (extra properties of its parts ride along untouched). */
export interface DefinitionDocument {
  displayName: string;
  description?: string;
  states: ({ name: string } & Record<string, unknown>)[];
  fieldSchema: ({ name: string; type: string } & Record<string, unknown>)[];
  initialState: { name: string; requiredFields: string[] };
  triggers: ({ name: string } & Record<string, unknown>)[];
  transitions: (Transition & Record<string, unknown>)[];
  actions?: unknown[];
}

const EMPTY: DefinitionDocument = {
  displayName: '',
  states: [{ name: 'Open' }, { name: 'Done' }],
  fieldSchema: [],
  initialState: { name: 'Open', requiredFields: [] },
  triggers: [{ name: 'finish', trigger: { type: 'External' } }],
  transitions: [{ fromState: 'Open', toState: 'Done', trigger: 'finish' }],
};

/** The document of a definition as the API returned it (id, version and links dropped). */
export function documentOf(definition: any): DefinitionDocument {
  const { id: _id, version: _version, links: _links, ...doc } = definition;
  return {
    ...doc,
    states: doc.states ?? [],
    fieldSchema: doc.fieldSchema ?? [],
    initialState: { name: doc.initialState?.name ?? '', requiredFields: doc.initialState?.requiredFields ?? [] },
    triggers: doc.triggers ?? [],
    transitions: doc.transitions ?? [],
  };
}

/** What is sent: empty optional texts left out. */
export function documentToSend(doc: DefinitionDocument): Record<string, unknown> {
  const transitions = doc.transitions.map(({ guard, ...t }) => (guard && guard.trim() ? { ...t, guard: guard.trim() } : t));
  const { description, ...rest } = doc;
  return { ...rest, ...(description && description.trim() ? { description } : {}), transitions };
}

/** Renames `from` to `to` wherever the document refers to a state, trigger or field by name. */
function renamed(doc: DefinitionDocument, kind: 'state' | 'trigger' | 'field', from: string, to: string): DefinitionDocument {
  if (from === to) return doc;
  const swap = (name: string) => (name === from ? to : name);
  if (kind === 'state') {
    return {
      ...doc,
      initialState: { ...doc.initialState, name: swap(doc.initialState.name) },
      transitions: doc.transitions.map((t) => ({ ...t, fromState: swap(t.fromState), toState: swap(t.toState) })),
    };
  }
  if (kind === 'trigger') return { ...doc, transitions: doc.transitions.map((t) => ({ ...t, trigger: swap(t.trigger) })) };
  return { ...doc, initialState: { ...doc.initialState, requiredFields: doc.initialState.requiredFields.map(swap) } };
}

const value = (e: Event) => (e.target as HTMLInputElement | HTMLSelectElement).value;

export function DefinitionEditor({ original, onSaved, onCancel }: { original?: any; onSaved: (definition: any) => void; onCancel: () => void }) {
  const [scope, setScope] = useState(original?.id.scope ?? '');
  const [code, setCode] = useState(original?.id.code ?? '');
  const [doc, setDoc] = useState<DefinitionDocument>(() => (original ? documentOf(original) : EMPTY));
  const [error, setError] = useState<string>();
  const [saving, setSaving] = useState(false);
  const states = doc.states.map((s) => s.name);
  const triggers = doc.triggers.map((t) => t.name);
  const set = (change: Partial<DefinitionDocument>) => setDoc((d) => ({ ...d, ...change }));
  const replaceAt = <T,>(list: T[], i: number, item: T) => list.map((x, j) => (j === i ? item : x));
  const removeAt = <T,>(list: T[], i: number) => list.filter((_, j) => j !== i);

  const save = async (e: Event) => {
    e.preventDefault();
    setSaving(true);
    try {
      const body = documentToSend(doc);
      const saved = original
        ? await workflowApi(`/taskdefinitions/${encodeURIComponent(original.id.scope)}/${encodeURIComponent(original.id.code)}`, { method: 'PUT', body })
        : await workflowApi('/taskdefinitions', { method: 'POST', body: { id: { scope: scope.trim(), code: code.trim() }, ...body } });
      setError(undefined);
      onSaved(saved);
    } catch (err) {
      setError((err as Error).message);
    } finally {
      setSaving(false);
    }
  };

  return (
    <form class="card wide definition-editor" onSubmit={save} aria-label={original ? `Edit ${original.id.scope}/${original.id.code}` : 'New task definition'}>
      <h2>{original ? `Edit ${doc.displayName || `${original.id.scope}/${original.id.code}`}` : 'New task definition'}</h2>
      <div class="grid-2">
        <label>
          Scope
          <input value={scope} onInput={(e) => setScope(value(e))} required disabled={!!original} pattern="[A-Za-z0-9_.\-]+" maxLength={64} />
        </label>
        <label>
          Code
          <input value={code} onInput={(e) => setCode(value(e))} required disabled={!!original} pattern="[A-Za-z0-9_.\-]+" maxLength={64} />
        </label>
        <label>
          Display name
          <input value={doc.displayName} onInput={(e) => set({ displayName: value(e) })} required maxLength={256} />
        </label>
        <label>
          Description
          <input value={doc.description ?? ''} onInput={(e) => set({ description: value(e) })} maxLength={1024} />
        </label>
      </div>

      <fieldset>
        <legend>States</legend>
        {doc.states.map((s, i) => (
          <div class="row">
            <input aria-label={`State ${i + 1} name`} value={s.name} required onInput={(e) => setDoc((d) => ({ ...renamed(d, 'state', s.name, value(e)), states: replaceAt(d.states, i, { ...s, name: value(e) }) }))} />
            <label class="inline">
              <input type="radio" name="initial" checked={doc.initialState.name === s.name} onChange={() => set({ initialState: { ...doc.initialState, name: s.name } })} /> initial
            </label>
            <button type="button" class="secondary" aria-label={`Remove state ${s.name || i + 1}`} onClick={() => set({ states: removeAt(doc.states, i) })}>
              Remove
            </button>
          </div>
        ))}
        <button type="button" class="secondary" onClick={() => set({ states: [...doc.states, { name: `State${doc.states.length + 1}` }] })}>
          Add state
        </button>
      </fieldset>

      <fieldset>
        <legend>Fields</legend>
        {doc.fieldSchema.length === 0 ? <p class="hint">No fields.</p> : null}
        {doc.fieldSchema.map((f, i) => (
          <div class="row">
            <input aria-label={`Field ${i + 1} name`} value={f.name} required onInput={(e) => setDoc((d) => ({ ...renamed(d, 'field', f.name, value(e)), fieldSchema: replaceAt(d.fieldSchema, i, { ...f, name: value(e) }) }))} />
            <select aria-label={`Field ${i + 1} type`} value={f.type} onChange={(e) => set({ fieldSchema: replaceAt(doc.fieldSchema, i, { ...f, type: value(e) }) })}>
              {FIELD_TYPES.map((t) => (
                <option value={t}>{t}</option>
              ))}
            </select>
            <label class="inline">
              <input
                type="checkbox"
                checked={doc.initialState.requiredFields.includes(f.name)}
                onChange={(e) => {
                  const on = (e.target as HTMLInputElement).checked;
                  const rest = doc.initialState.requiredFields.filter((n) => n !== f.name);
                  set({ initialState: { ...doc.initialState, requiredFields: on ? [...rest, f.name] : rest } });
                }}
              />{' '}
              required at creation
            </label>
            <button type="button" class="secondary" aria-label={`Remove field ${f.name || i + 1}`} onClick={() => set({ fieldSchema: removeAt(doc.fieldSchema, i), initialState: { ...doc.initialState, requiredFields: doc.initialState.requiredFields.filter((n) => n !== f.name) } })}>
              Remove
            </button>
          </div>
        ))}
        <button type="button" class="secondary" onClick={() => set({ fieldSchema: [...doc.fieldSchema, { name: `field${doc.fieldSchema.length + 1}`, type: 'String' }] })}>
          Add field
        </button>
      </fieldset>

      <fieldset>
        <legend>Triggers</legend>
        {doc.triggers.map((t, i) => (
          <div class="row">
            <input aria-label={`Trigger ${i + 1} name`} value={t.name} required onInput={(e) => setDoc((d) => ({ ...renamed(d, 'trigger', t.name, value(e)), triggers: replaceAt(d.triggers, i, { ...t, name: value(e) }) }))} />
            <button type="button" class="secondary" aria-label={`Remove trigger ${t.name || i + 1}`} onClick={() => set({ triggers: removeAt(doc.triggers, i) })}>
              Remove
            </button>
          </div>
        ))}
        <button type="button" class="secondary" onClick={() => set({ triggers: [...doc.triggers, { name: `trigger${doc.triggers.length + 1}`, trigger: { type: 'External' } }] })}>
          Add trigger
        </button>
      </fieldset>

      <fieldset>
        <legend>Transitions</legend>
        {doc.transitions.length === 0 ? <p class="hint">No transitions.</p> : null}
        {doc.transitions.map((t, i) => (
          <div class="row transition-row">
            <select aria-label={`Transition ${i + 1} from`} value={t.fromState} onChange={(e) => set({ transitions: replaceAt(doc.transitions, i, { ...t, fromState: value(e) }) })}>
              {states.map((s) => (
                <option value={s}>{s}</option>
              ))}
            </select>
            <span aria-hidden="true">→</span>
            <select aria-label={`Transition ${i + 1} to`} value={t.toState} onChange={(e) => set({ transitions: replaceAt(doc.transitions, i, { ...t, toState: value(e) }) })}>
              {states.map((s) => (
                <option value={s}>{s}</option>
              ))}
            </select>
            <span>on</span>
            <select aria-label={`Transition ${i + 1} trigger`} value={t.trigger} onChange={(e) => set({ transitions: replaceAt(doc.transitions, i, { ...t, trigger: value(e) }) })}>
              {triggers.map((name) => (
                <option value={name}>{name}</option>
              ))}
            </select>
            <input aria-label={`Transition ${i + 1} guard`} placeholder="guard, e.g. fields['amount'] lt 1000" value={t.guard ?? ''} onInput={(e) => set({ transitions: replaceAt(doc.transitions, i, { ...t, guard: value(e) }) })} />
            <button type="button" class="secondary" aria-label={`Remove transition ${i + 1}`} onClick={() => set({ transitions: removeAt(doc.transitions, i) })}>
              Remove
            </button>
          </div>
        ))}
        <button
          type="button"
          class="secondary"
          disabled={states.length === 0 || triggers.length === 0}
          onClick={() => set({ transitions: [...doc.transitions, { fromState: states[0]!, toState: states[states.length - 1]!, trigger: triggers[0]! }] })}
        >
          Add transition
        </button>
      </fieldset>

      <h3>Preview</h3>
      <div class="table-wrap">
        <StateDiagram definition={doc} title={`Preview of ${doc.displayName || 'the definition'}`} />
      </div>
      {error ? (
        <p role="alert" class="error">
          {error}
        </p>
      ) : null}
      <SubmitOrCancel label={original ? 'Save definition' : 'Create definition'} disabled={saving} cancel={onCancel} />
    </form>
  );
}
