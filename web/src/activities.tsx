// Activities and task channels: lists (paged, in the order they were created, as the API lists them), and
// forms to add them.
import { api } from './api.ts';
import { FormMessage, useFormOutcome } from './formMessage.tsx';
import { Pager, twilioPage, usePages } from './paging.tsx';

const PAGE = 50;

export function Activities({ ws }: { ws: string }) {
  const [outcome, submitForm] = useFormOutcome();
  const activities = usePages((cursor: string | undefined) => twilioPage(cursor ?? `/v1/Workspaces/${ws}/Activities?PageSize=${PAGE}`, 'activities'), `${ws}/activities`);
  const channels = usePages((cursor: string | undefined) => twilioPage(cursor ?? `/v1/Workspaces/${ws}/TaskChannels?PageSize=${PAGE}`, 'channels'), `${ws}/channels`);
  const load = () => Promise.all([activities.reload(), channels.reload()]);
  const submit = (path: string, fields: (data: FormData) => Record<string, string>, done: string) => async (e: Event) => {
    e.preventDefault();
    const form = e.target as HTMLFormElement;
    await submitForm(async () => {
      await api('POST', `/v1/Workspaces/${ws}/${path}`, fields(new FormData(form)));
      form.reset();
      await load();
    }, done);
  };
  return (
    <section>
      <h1>Activities and task channels</h1>
      <FormMessage outcome={outcome} />
      <form class="card" aria-label="New activity" onSubmit={submit('Activities', (d) => ({ FriendlyName: String(d.get('name')), Available: d.get('available') ? 'true' : 'false' }), 'Activity created')}>
        <h2>New activity</h2>
        <label>
          Name
          <input name="name" required maxLength={64} />
        </label>
        <label class="inline">
          <input type="checkbox" name="available" /> Workers in it take tasks
        </label>
        <button type="submit">Create activity</button>
      </form>
      <table>
        <caption>Activities, in the order created</caption>
        <thead>
          <tr>
            <th scope="col">Name</th>
            <th scope="col">Takes tasks</th>
          </tr>
        </thead>
        <tbody>
          {activities.page?.items.map((a) => (
            <tr>
              <th scope="row">{a.friendly_name}</th>
              <td>{a.available ? 'yes' : 'no'}</td>
            </tr>
          ))}
        </tbody>
      </table>
      <Pager label="Activities" pages={activities} pageSize={PAGE} />
      <form class="card" aria-label="New task channel" onSubmit={submit('TaskChannels', (d) => ({ FriendlyName: String(d.get('name')), UniqueName: String(d.get('unique')) }), 'Task channel created')}>
        <h2>New task channel</h2>
        <label>
          Name
          <input name="name" required maxLength={64} />
        </label>
        <label>
          Unique name
          <input name="unique" required maxLength={64} pattern="[A-Za-z0-9_]+" />
        </label>
        <button type="submit">Create task channel</button>
      </form>
      <table>
        <caption>Task channels, in the order created</caption>
        <thead>
          <tr>
            <th scope="col">Name</th>
            <th scope="col">Unique name</th>
          </tr>
        </thead>
        <tbody>
          {channels.page?.items.map((c) => (
            <tr>
              <th scope="row">{c.friendly_name}</th>
              <td>
                <code>{c.unique_name}</code>
              </td>
            </tr>
          ))}
        </tbody>
      </table>
      <Pager label="Task channels" pages={channels} pageSize={PAGE} />
    </section>
  );
}
