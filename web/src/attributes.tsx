// Attributes (TaskRouter's JSON objects on workers and tasks) as readable fields: one name and value per line,
// nested objects as dotted names, lists of values as chips. The JSON is edited on demand only, one editor at a
// time, never as an open editor per row.
import { useState } from 'preact/hooks';
import { SubmitOrCancel } from './formMessage.tsx';

export interface AttributeField {
  name: string;
  /** A list of scalars shows as chips; anything else as text. */
  value: string | string[];
}

function scalarText(v: unknown): string {
  if (v === null || v === undefined) return '—';
  return typeof v === 'string' ? v : JSON.stringify(v);
}

const isScalar = (v: unknown) => v === null || typeof v !== 'object';

/** The fields of a JSON object, in its own key order: `{"a": {"b": 1}, "skills": ["x", "y"]}` gives
 *  `a.b = 1` and `skills = [x, y]`. */
export function attributeFields(value: unknown, prefix = ''): AttributeField[] {
  if (value === null || typeof value !== 'object') return prefix ? [{ name: prefix, value: scalarText(value) }] : [];
  if (Array.isArray(value)) {
    if (value.every(isScalar)) return [{ name: prefix, value: value.map(scalarText) }];
    return value.flatMap((item, i) => attributeFields(item, `${prefix}[${i}]`));
  }
  const entries = Object.entries(value);
  if (entries.length === 0 && prefix) return [{ name: prefix, value: '{}' }];
  return entries.flatMap(([k, v]) => attributeFields(v, prefix ? `${prefix}.${k}` : k));
}

/** Attributes given as JSON text (as the API returns them) or already parsed. */
export function parseAttributes(json: string | object): { fields: AttributeField[] } | { text: string } {
  if (typeof json !== 'string') return { fields: attributeFields(json) };
  try {
    return { fields: attributeFields(JSON.parse(json)) };
  } catch {
    return { text: json };
  }
}

const SHOWN = 12;

/** `compact`: the fields flow on a line (a list's rows); otherwise one per line (a task's or an offer's page). */
export function AttributeFields({ json, label, compact = false }: { json: string | object; label: string; compact?: boolean }) {
  const [all, setAll] = useState(false);
  const parsed = parseAttributes(json);
  if ('text' in parsed) return <p class="attr-text">{parsed.text}</p>;
  if (parsed.fields.length === 0) return <span class="hint">no attributes</span>;
  const shown = all ? parsed.fields : parsed.fields.slice(0, SHOWN);
  return (
    <>
      <dl class={compact ? 'attrs compact' : 'attrs'} aria-label={label}>
        {shown.map((f) => (
          <div data-attribute={f.name}>
            <dt>{f.name}</dt>
            <dd>
              {Array.isArray(f.value) ? (
                f.value.length === 0 ? (
                  <span class="hint">none</span>
                ) : (
                  f.value.map((v) => <span class="chip">{v}</span>)
                )
              ) : (
                f.value
              )}
            </dd>
          </div>
        ))}
      </dl>
      {parsed.fields.length > SHOWN ? (
        <button type="button" class="link" aria-expanded={all} onClick={() => setAll(!all)}>
          {all ? 'Show fewer' : `Show all ${parsed.fields.length} attributes`}
        </button>
      ) : null}
    </>
  );
}

/** Why text is not a JSON object, or undefined when it is one. */
export function jsonObjectProblem(text: string, what = 'Attributes'): string | undefined {
  try {
    const v = JSON.parse(text);
    return v !== null && typeof v === 'object' && !Array.isArray(v) ? undefined : `${what} must be a JSON object`;
  } catch (err) {
    return `Not valid JSON: ${(err as Error).message}`;
  }
}

/** A JSON object's editor: checked as typed, saved through `save` (the API's refusal shown), closed by the
 *  caller once saved or cancelled. */
export function JsonObjectEditor({ label, initial, save, close }: { label: string; initial: string; save: (text: string) => Promise<void>; close: () => void }) {
  const [text, setText] = useState(() => {
    try {
      return JSON.stringify(JSON.parse(initial), null, 2);
    } catch {
      return initial;
    }
  });
  const [error, setError] = useState<string>();
  const problem = jsonObjectProblem(text);
  const submit = async (e: Event) => {
    e.preventDefault();
    try {
      await save(text);
      setError(undefined);
      close();
    } catch (err) {
      setError((err as Error).message);
    }
  };
  return (
    <form class="editor" onSubmit={submit}>
      <label>
        {label}
        <textarea rows={Math.min(12, text.split('\n').length + 1)} value={text} onInput={(e) => setText((e.target as HTMLTextAreaElement).value)} aria-invalid={problem ? 'true' : 'false'} />
      </label>
      {problem || error ? (
        <p class="error" role="alert">
          {problem ?? error}
        </p>
      ) : null}
      <SubmitOrCancel label="Save attributes" disabled={!!problem} cancel={close} />
    </form>
  );
}
