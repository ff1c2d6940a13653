// Task queues: the list by name (paged), and a form to create one whose target-workers expression is checked
// as it is typed (the Workers list's TargetWorkersExpression filter answers with the matching workers, or the
// error).
import { useEffect, useState } from 'preact/hooks';
import { api } from './api.ts';
import { FormMessage, useFormOutcome } from './formMessage.tsx';
import { Pager, twilioAll, twilioPage, usePages } from './paging.tsx';

const QUEUE_PAGE = 50;

/** The workers an expression selects, counted as it is typed (the answer to an older text is dropped). */
function useEligible(ws: string, expression: string): { count?: number; error?: string } {
  const [state, setState] = useState<{ count?: number; error?: string }>({});
  useEffect(() => {
    setState({});
    if (!expression.trim()) return;
    let current = true;
    const timer = setTimeout(() => {
      twilioAll(`/v1/Workspaces/${ws}/Workers?PageSize=1000&TargetWorkersExpression=${encodeURIComponent(expression)}`, 'workers').then(
        (workers) => current && setState({ count: workers.length }),
        (e) => current && setState({ error: e.message }),
      );
    }, 200);
    return () => {
      current = false;
      clearTimeout(timer);
    };
  }, [ws, expression]);
  return state;
}

export function Queues({ ws }: { ws: string }) {
  const [expression, setExpression] = useState('1 == 1');
  const [outcome, submitForm] = useFormOutcome();
  const eligible = useEligible(ws, expression);
  const first = `/v1/Workspaces/${ws}/TaskQueues?PageSize=${QUEUE_PAGE}&Ordering=FriendlyName:asc`;
  const pages = usePages((cursor: string | undefined) => twilioPage(cursor ?? first, 'task_queues'), first);
  const create = async (e: Event) => {
    e.preventDefault();
    const form = e.target as HTMLFormElement;
    const name = String(new FormData(form).get('name'));
    await submitForm(async () => {
      await api('POST', `/v1/Workspaces/${ws}/TaskQueues`, { FriendlyName: name, TargetWorkers: expression });
      form.reset();
      await pages.reload();
    }, `Queue ${name} created`);
  };
  return (
    <section>
      <h1>Task queues</h1>
      <form onSubmit={create} class="card" aria-label="New task queue">
        <h2>New task queue</h2>
        <label>
          Name
          <input name="name" required maxLength={64} />
        </label>
        <label>
          Target workers expression
          <input name="targetWorkers" value={expression} onInput={(e) => setExpression((e.target as HTMLInputElement).value)} aria-describedby="eligible" />
        </label>
        <p id="eligible" class={eligible.error ? 'error' : 'hint'} aria-live="polite" data-testid="eligible">
          {eligible.error ?? (eligible.count !== undefined ? `${eligible.count} eligible worker${eligible.count === 1 ? '' : 's'}` : '')}
        </p>
        <FormMessage outcome={outcome} />
        <button type="submit" disabled={!!eligible.error}>
          Create queue
        </button>
      </form>
      {pages.error ? <p role="alert" class="error">{pages.error}</p> : null}
      <table>
        <caption>Queues by name</caption>
        <thead>
          <tr>
            <th scope="col">Name</th>
            <th scope="col">Target workers</th>
            <th scope="col">Order</th>
          </tr>
        </thead>
        <tbody>
          {pages.page?.items.map((q) => (
            <tr>
              <th scope="row">{q.friendly_name}</th>
              <td>
                <code>{q.target_workers}</code>
              </td>
              <td>{q.task_order}</td>
            </tr>
          ))}
        </tbody>
      </table>
      <Pager label="Queues" pages={pages} pageSize={QUEUE_PAGE} />
    </section>
  );
}
