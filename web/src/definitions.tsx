// The Workflow face: each task definition as a state diagram (states left to right in the order the initial
// state reaches them, forward transitions arcing above, backward ones below, labelled with their triggers,
// also listed as text), and the definition's tasks with their history.
import { useEffect, useState } from 'preact/hooks';
import { workflowApi } from './api.ts';

interface Transition {
  fromState: string;
  toState: string;
  trigger: string;
}

/** States in the order the initial state reaches them (breadth first), then any unreachable ones. */
export function stateOrder(states: string[], initial: string, transitions: Transition[]): string[] {
  const order = [initial];
  for (let i = 0; i < order.length; i++) {
    for (const t of transitions) if (t.fromState === order[i] && !order.includes(t.toState)) order.push(t.toState);
  }
  return [...order, ...states.filter((s) => !order.includes(s))];
}

function Diagram({ definition }: { definition: any }) {
  const transitions: Transition[] = definition.transitions ?? [];
  const order = stateOrder((definition.states ?? []).map((s: any) => s.name), definition.initialState?.name, transitions);
  const W = 150;
  const GAP = 50;
  const x = (name: string) => order.indexOf(name) * (W + GAP) + 10;
  const width = order.length * (W + GAP) + 20;
  const MID = 110;
  return (
    <svg class="diagram" viewBox={`0 0 ${width} 220`} width={width} height={220} role="img" aria-labelledby={`d-${definition.id.code}`}>
      <title id={`d-${definition.id.code}`}>State diagram of {definition.displayName ?? definition.id.code}</title>
      <defs>
        <marker id="arrow" viewBox="0 0 10 10" refX="9" refY="5" markerWidth="7" markerHeight="7" orient="auto-start-reverse">
          <path d="M 0 0 L 10 5 L 0 10 z" fill="currentColor" />
        </marker>
      </defs>
      {transitions.map((t, i) => {
        const from = x(t.fromState) + W / 2;
        const to = x(t.toState) + W / 2;
        const forward = to >= from;
        const lift = 40 + 12 * (i % 3);
        const y = forward ? MID - 20 : MID + 20;
        const cy = forward ? y - lift : y + lift;
        const path = from === to ? `M ${from - 20} ${y} C ${from - 40} ${y - 60}, ${from + 40} ${y - 60}, ${from + 20} ${y}` : `M ${from} ${y} Q ${(from + to) / 2} ${cy} ${to} ${y}`;
        return (
          <g class="transition">
            <path d={path} fill="none" stroke="currentColor" marker-end="url(#arrow)" />
            <text x={(from + to) / 2} y={forward ? cy + lift / 2 - 4 : cy - lift / 2 + 12} text-anchor="middle" class="trigger">
              {t.trigger}
            </text>
          </g>
        );
      })}
      {order.map((name) => (
        <g class="state" data-state={name}>
          <rect x={x(name)} y={MID - 20} width={W} height={40} rx={10} class={name === definition.initialState?.name ? 'initial' : ''} />
          <text x={x(name) + W / 2} y={MID + 5} text-anchor="middle">
            {name}
          </text>
        </g>
      ))}
    </svg>
  );
}

export function Definitions() {
  const [definitions, setDefinitions] = useState<any[]>([]);
  const [error, setError] = useState<string>();
  const [selected, setSelected] = useState<any>();
  const [tasks, setTasks] = useState<any[]>([]);
  const [history, setHistory] = useState<{ id: string; items: any[] }>();
  useEffect(() => {
    workflowApi('/taskdefinitions?limit=100').then((r) => {
      setDefinitions(r.values);
      setSelected(r.values[0]);
    }, (e) => setError(e.message));
  }, []);
  useEffect(() => {
    if (!selected) return;
    setHistory(undefined);
    workflowApi(`/taskdefinitions/${selected.id.scope}/${selected.id.code}/tasks?limit=50`).then((r) => setTasks(r.values), (e) => setError(e.message));
  }, [selected]);
  const showHistory = async (id: string) => setHistory({ id, items: (await workflowApi(`/tasks/${id}/history`)).values });
  return (
    <section>
      <h1>Task definitions</h1>
      {error ? <p role="alert" class="error">{error}</p> : null}
      {definitions.length === 0 && !error ? <p>No task definition yet: create one through the Workflow API.</p> : null}
      <label class="inline">
        Definition
        <select onChange={(e) => setSelected(definitions[Number((e.target as HTMLSelectElement).value)])}>
          {definitions.map((d, i) => (
            <option value={i}>
              {d.displayName ?? d.id.code} ({d.id.scope}/{d.id.code})
            </option>
          ))}
        </select>
      </label>
      {selected ? (
        <>
          <div class="table-wrap">
            <Diagram definition={selected} />
          </div>
          <h2>Transitions</h2>
          <ul aria-label="Transitions">
            {(selected.transitions ?? []).map((t: Transition) => (
              <li data-transition={`${t.fromState}>${t.toState}`}>
                {t.fromState} → {t.toState} on <code>{t.trigger}</code>
              </li>
            ))}
          </ul>
          <h2>Tasks</h2>
          <table>
            <caption>Tasks of this definition</caption>
            <thead>
              <tr>
                <th scope="col">Task</th>
                <th scope="col">State</th>
                <th scope="col">History</th>
              </tr>
            </thead>
            <tbody>
              {tasks.map((t) => (
                <tr data-wftask={t.id}>
                  <th scope="row">
                    <code>{t.id}</code>
                  </th>
                  <td>{t.state}</td>
                  <td>
                    <button type="button" onClick={() => showHistory(t.id)}>
                      Show history
                    </button>
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
          {history ? (
            <>
              <h2>History of {history.id}</h2>
              <ol class="timeline" aria-label="Task history">
                {history.items.map((c) => (
                  <li data-attribute={c.attributeName}>
                    <time dateTime={c.asAtModified}>{new Date(c.asAtModified).toLocaleTimeString()}</time> {c.action} <strong>{c.attributeName}</strong>:{' '}
                    {JSON.stringify(c.previousValue ?? null)} → {JSON.stringify(c.newValue)} <span class="hint">by {c.userIdModified}</span>
                  </li>
                ))}
              </ol>
            </>
          ) : null}
        </>
      ) : null}
    </section>
  );
}
