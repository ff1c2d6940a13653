// The Workflow face: the account's task definitions (by name, paged), one drawn as a state diagram with its
// transitions, created or edited in a form (definitionEditor.tsx), and its tasks (newest first, paged), each
// opened to change its fields, run the triggers its state allows and read its history (workflowTask.tsx).
import { useState } from 'preact/hooks';
import { workflowApi } from './api.ts';
import { DefinitionEditor } from './definitionEditor.tsx';
import { Pager, usePages, type Page } from './paging.tsx';
import { StateDiagram, type Transition } from './stateDiagram.tsx';
import { NewWorkflowTask, WorkflowTaskPanel } from './workflowTask.tsx';

const DEFINITION_PAGE = 20;
const TASK_PAGE = 20;

/** A page of a Workflow-face list: `values`, and the next page's token as the cursor. */
async function lusidPage(path: string, params: Record<string, string | string[]>, token: string | undefined): Promise<Page<any, string>> {
  const q = new URLSearchParams();
  for (const [k, v] of Object.entries(params)) for (const one of Array.isArray(v) ? v : [v]) q.append(k, one);
  if (token) q.set('page', token);
  const r = await workflowApi(`${path}?${q}`);
  return { items: r.values, next: r.nextPage ?? undefined };
}

export function Definitions() {
  const [selectedKey, setSelectedKey] = useState<string>();
  const [editing, setEditing] = useState<'new' | 'edit'>();
  const definitions = usePages((token: string | undefined) => lusidPage('/taskdefinitions', { limit: String(DEFINITION_PAGE), sortBy: 'displayName ASC' }, token), 'definitions');
  const list = definitions.page?.items ?? [];
  const key = (d: any) => `${d.id.scope}/${d.id.code}`;
  const selected = list.find((d) => key(d) === selectedKey) ?? (selectedKey === undefined ? list[0] : undefined);
  return (
    <section>
      <h1>Task definitions</h1>
      {definitions.error ? <p role="alert" class="error">{definitions.error}</p> : null}
      <div class="actions">
        <button type="button" onClick={() => setEditing('new')} disabled={editing === 'new'}>
          New task definition
        </button>
      </div>
      {editing === 'new' ? (
        <DefinitionEditor
          onSaved={async (saved) => {
            setEditing(undefined);
            await definitions.reload();
            setSelectedKey(key(saved));
          }}
          onCancel={() => setEditing(undefined)}
        />
      ) : null}
      {list.length === 0 && definitions.index === 0 && definitions.page ? <p>No task definition yet.</p> : null}
      <div class="table-wrap">
        <table>
          <caption>Task definitions by name</caption>
          <thead>
            <tr>
              <th scope="col">Name</th>
              <th scope="col">Scope / code</th>
              <th scope="col">States</th>
            </tr>
          </thead>
          <tbody>
            {list.map((d) => (
              <tr data-definition={key(d)} aria-current={selected && key(d) === key(selected) ? 'true' : undefined}>
                <th scope="row">
                  <button type="button" class="link" onClick={() => setSelectedKey(key(d))}>
                    {d.displayName ?? d.id.code}
                  </button>
                </th>
                <td>{key(d)}</td>
                <td>{(d.states ?? []).length}</td>
              </tr>
            ))}
          </tbody>
        </table>
      </div>
      <Pager label="Definitions" pages={definitions} pageSize={DEFINITION_PAGE} />
      {selected && editing === 'edit' ? (
        <DefinitionEditor
          original={selected}
          onSaved={async () => {
            setEditing(undefined);
            await definitions.reload();
          }}
          onCancel={() => setEditing(undefined)}
        />
      ) : null}
      {selected && editing !== 'edit' ? <DefinitionDetail definition={selected} edit={() => setEditing('edit')} /> : null}
    </section>
  );
}

function DefinitionDetail({ definition, edit }: { definition: any; edit: () => void }) {
  const [open, setOpen] = useState<string>();
  const path = `/taskdefinitions/${encodeURIComponent(definition.id.scope)}/${encodeURIComponent(definition.id.code)}/tasks`;
  const tasks = usePages((token: string | undefined) => lusidPage(path, { limit: String(TASK_PAGE), sortBy: 'version.asAtCreated DESC' }, token), `${path}@${definition.version?.asAtModified}`);
  return (
    <>
      <h2>{definition.displayName ?? definition.id.code}</h2>
      {definition.description ? <p>{definition.description}</p> : null}
      <div class="actions">
        <button type="button" class="secondary" onClick={edit}>
          Edit definition
        </button>
      </div>
      <div class="table-wrap">
        <StateDiagram definition={definition} title={`State diagram of ${definition.displayName ?? definition.id.code}`} />
      </div>
      <h3>Transitions</h3>
      <ul aria-label="Transitions">
        {(definition.transitions ?? []).map((t: Transition) => (
          <li data-transition={`${t.fromState}>${t.toState}`}>
            {t.fromState} → {t.toState} on <code>{t.trigger}</code>
            {t.guard ? (
              <>
                {' '}
                if <code>{t.guard}</code>
              </>
            ) : null}
          </li>
        ))}
      </ul>
      <NewWorkflowTask
        definition={definition}
        onCreated={async (task) => {
          await tasks.reload();
          setOpen(task.id);
        }}
      />
      {tasks.error ? <p role="alert" class="error">{tasks.error}</p> : null}
      <div class="table-wrap">
        <table>
          <caption>Tasks of this definition, newest first</caption>
          <thead>
            <tr>
              <th scope="col">Task</th>
              <th scope="col">State</th>
              <th scope="col">Fields</th>
              <th scope="col">Open</th>
            </tr>
          </thead>
          <tbody>
            {tasks.page?.items.map((t) => (
              <tr data-wftask={t.id}>
                <th scope="row">
                  <span class="sid">{t.id}</span>
                </th>
                <td>{t.state}</td>
                <td>
                  <dl class="attrs">
                    {(t.fields ?? []).map((f: any) => (
                      <div>
                        <dt>{f.name}</dt>
                        <dd>{String(f.value)}</dd>
                      </div>
                    ))}
                  </dl>
                </td>
                <td>
                  <button type="button" class="secondary" aria-expanded={open === t.id} onClick={() => setOpen(open === t.id ? undefined : t.id)}>
                    {open === t.id ? 'Close task' : 'Open task'}
                  </button>
                </td>
              </tr>
            ))}
          </tbody>
        </table>
      </div>
      <Pager label="Tasks" pages={tasks} pageSize={TASK_PAGE} />
      {open ? <WorkflowTaskPanel taskId={open} definition={definition} onChanged={() => void tasks.reload()} /> : null}
    </>
  );
}
