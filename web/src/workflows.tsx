// Workflows: each one's configuration in an editor (JSON checked as it is typed, saved through the API, which
// validates it and names the faulty field), and a tester: given task attributes, which filter matches first
// and which queues it targets. The tester evaluates the filter expressions here, with the server's own
// expression language (src/expr, bundled into the console), exactly as routing reads them.
import { useEffect, useState } from 'preact/hooks';
import { api } from './api.ts';
import { FormMessage, useFormOutcome } from './formMessage.tsx';
import { twilioAll } from './paging.tsx';
import { compileExpression } from '../../src/expr/index.ts';
import { jsonObjectProblem } from './attributes.tsx';

interface Filter {
  filter_friendly_name?: string;
  expression?: string;
  targets?: { queue?: string }[];
}

/** The first filter whose expression holds for the task, or the default filter; or why it cannot be told. */
export function firstMatch(configuration: string, attributes: string): { filter: string; queues: string[] } | { error: string } {
  let routing: { filters?: Filter[]; default_filter?: { queue?: string } };
  let task: unknown;
  try {
    routing = JSON.parse(configuration).task_routing ?? {};
  } catch (err) {
    return { error: `Configuration: ${(err as Error).message}` };
  }
  try {
    task = JSON.parse(attributes);
  } catch (err) {
    return { error: `Task attributes: ${(err as Error).message}` };
  }
  for (const [i, f] of (routing.filters ?? []).entries()) {
    try {
      if (compileExpression(f.expression ?? '', 'filter').evaluate({ root: task })) {
        return { filter: f.filter_friendly_name ?? `filter ${i + 1}`, queues: (f.targets ?? []).map((t) => t.queue ?? '?') };
      }
    } catch (err) {
      return { error: `Filter ${f.filter_friendly_name ?? i + 1}: ${(err as Error).message}` };
    }
  }
  return routing.default_filter?.queue ? { filter: 'default filter', queues: [routing.default_filter.queue] } : { error: 'No filter matches and there is no default filter: the task would be canceled' };
}

export function Workflows({ ws }: { ws: string }) {
  const [workflows, setWorkflows] = useState<any[]>([]);
  const [queues, setQueues] = useState<Record<string, string>>({});
  const [selected, setSelected] = useState<string>();
  const [configuration, setConfiguration] = useState('');
  const [attributes, setAttributes] = useState('{}');
  const [outcome, submitForm] = useFormOutcome();
  const load = async () => {
    // Every workflow to choose from and every queue's name, page by page.
    const [all, queueList] = await Promise.all([twilioAll(`/v1/Workspaces/${ws}/Workflows?PageSize=1000`, 'workflows'), twilioAll(`/v1/Workspaces/${ws}/TaskQueues?PageSize=1000`, 'task_queues')]);
    setWorkflows(all);
    setQueues(Object.fromEntries(queueList.map((x: any) => [x.sid, x.friendly_name])));
    const first = all.find((x: any) => x.sid === selected) ?? all[0];
    if (first) {
      setSelected(first.sid);
      setConfiguration(JSON.stringify(JSON.parse(first.configuration), null, 2));
    }
  };
  useEffect(() => void load(), [ws]);
  const pick = (sid: string) => {
    setSelected(sid);
    const w = workflows.find((x) => x.sid === sid);
    if (w) setConfiguration(JSON.stringify(JSON.parse(w.configuration), null, 2));
  };
  const problem = configuration ? jsonObjectProblem(configuration, 'The configuration') : undefined;
  const save = async (e: Event) => {
    e.preventDefault();
    await submitForm(async () => {
      await api('POST', `/v1/Workspaces/${ws}/Workflows/${selected}`, { Configuration: configuration });
      await load();
    }, 'Configuration saved');
  };
  const hit = firstMatch(configuration, attributes);
  return (
    <section>
      <h1>Workflows</h1>
      <label class="inline">
        Workflow
        <select value={selected} onChange={(e) => pick((e.target as HTMLSelectElement).value)}>
          {workflows.map((w) => (
            <option value={w.sid}>{w.friendly_name}</option>
          ))}
        </select>
      </label>
      <form onSubmit={save} class="card wide" aria-label="Workflow configuration">
        <label>
          Configuration (JSON)
          <textarea rows={14} value={configuration} onInput={(e) => setConfiguration((e.target as HTMLTextAreaElement).value)} aria-invalid={problem ? 'true' : 'false'} aria-describedby="configuration-problem" />
        </label>
        <p id="configuration-problem" class="error" aria-live="polite">
          {problem ?? ''}
        </p>
        <FormMessage outcome={outcome} />
        <button type="submit" disabled={!!problem || !selected}>
          Save configuration
        </button>
      </form>
      <div class="card wide" aria-label="Routing tester" role="group">
        <h2>Which filter and queue would this task hit?</h2>
        <label>
          Task attributes (JSON)
          <textarea rows={3} value={attributes} onInput={(e) => setAttributes((e.target as HTMLTextAreaElement).value)} />
        </label>
        <p aria-live="polite" data-testid="routing-result" class={'error' in hit ? 'error' : ''}>
          {'error' in hit ? hit.error : `${hit.filter} → ${hit.queues.map((q) => queues[q] ?? q).join(', ') || 'no queue'}`}
        </p>
      </div>
    </section>
  );
}
