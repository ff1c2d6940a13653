// The Switchboard console: a single-page app on the public APIs (REST with the signed-in credentials, the
// browser SDK for live events). Routes live in the URL hash: #/ (sign in, workspaces), #/WS.../dashboard,
// queues, workers, workflows, activities, tasks, tasks/WT..., events, desk, desk/WK..., and the account-wide
// pages of the other faces, definitions and opsflow (also as #/definitions and #/opsflow before a workspace is
// chosen). Inside a workspace every page keeps the workspace's name and menu. Signed in with a worker's token,
// the console is that worker's desk only.
import { render } from 'preact';
import { useEffect, useState } from 'preact/hooks';
import { api, saveCredentials, savedCredentials, workerSignIn } from './api.ts';
import { SignIn, WorkspacePicker } from './signIn.tsx';
import { Dashboard } from './dashboard.tsx';
import { Queues } from './queues.tsx';
import { Workers } from './workers.tsx';
import { TaskDetail, Tasks } from './tasks.tsx';
import { Desk } from './desk.tsx';
import { Workflows } from './workflows.tsx';
import { Activities } from './activities.tsx';
import { Events } from './events.tsx';
import { Board } from './board.tsx';
import { Definitions } from './definitions.tsx';

function useHash(): string {
  const [hash, setHash] = useState(location.hash);
  useEffect(() => {
    const on = () => setHash(location.hash);
    addEventListener('hashchange', on);
    return () => removeEventListener('hashchange', on);
  }, []);
  return hash;
}

const SECTIONS = [
  ['dashboard', 'Dashboard'],
  ['queues', 'Queues'],
  ['workers', 'Workers'],
  ['workflows', 'Workflows'],
  ['activities', 'Activities'],
  ['tasks', 'Tasks'],
  ['events', 'Events'],
  ['desk', 'Worker desk'],
] as const;

/** The account-wide pages (the Workflow and Opsflow faces). */
const ACCOUNT_PAGES = [
  ['definitions', 'Task definitions'],
  ['opsflow', 'Opsflow board'],
] as const;

function useWorkspaceName(ws: string | undefined): string | undefined {
  const [name, setName] = useState<string>();
  useEffect(() => {
    setName(undefined);
    if (ws) api('GET', `/v1/Workspaces/${ws}`).then((w) => setName(w.friendly_name), () => setName(undefined));
  }, [ws]);
  return name;
}

function App() {
  const hash = useHash();
  const [signedIn, setSignedIn] = useState(savedCredentials() !== undefined);
  const signOut = () => {
    saveCredentials(undefined);
    location.hash = '';
    setSignedIn(false);
  };
  if (!signedIn) return <SignIn onSignedIn={() => setSignedIn(true)} />;
  const worker = workerSignIn();
  if (worker) return <AgentShell ws={worker.workspaceSid} workerSid={worker.workerSid} signOut={signOut} />;
  const [, first, section = 'dashboard', id] = hash.replace(/^#/, '').split('/');
  // #/definitions and #/opsflow: an account page before any workspace is chosen.
  const accountOnly = ACCOUNT_PAGES.some(([key]) => key === first);
  const ws = first && !accountOnly ? first : undefined;
  return <SupervisorShell ws={ws} section={accountOnly ? first! : section} id={id} signOut={signOut} />;
}

function SupervisorShell({ ws, section, id, signOut }: { ws?: string; section: string; id?: string; signOut: () => void }) {
  const name = useWorkspaceName(ws);
  const account = ACCOUNT_PAGES.find(([key]) => key === section);
  const page = account ? section === 'opsflow' ? <Board /> : <Definitions /> : ws ? <Section ws={ws} section={section} id={id} /> : <WorkspacePicker />;
  useEffect(() => {
    const label = account?.[1] ?? SECTIONS.find(([key]) => key === section)?.[1];
    document.title = [ws && !account ? label : account?.[1], name, 'Switchboard console'].filter(Boolean).join(' · ');
  }, [ws, section, name]);
  return (
    <div class="shell">
      <header>
        <div class="where">
          <a class="brand" href="#/">
            Switchboard
          </a>
          {ws ? (
            <span class="workspace">
              <span data-testid="workspace-name">{name ?? ws}</span>
              <a href="#/">switch workspace</a>
            </span>
          ) : null}
        </div>
        {ws ? (
          <nav aria-label="Workspace">
            {SECTIONS.map(([key, label]) => (
              <a href={`#/${ws}/${key}`} aria-current={section === key ? 'page' : undefined}>
                {label}
              </a>
            ))}
          </nav>
        ) : null}
        <nav aria-label="Account">
          {ACCOUNT_PAGES.map(([key, label]) => (
            <a href={ws ? `#/${ws}/${key}` : `#/${key}`} aria-current={section === key ? 'page' : undefined}>
              {label}
            </a>
          ))}
          <button type="button" class="link" onClick={signOut}>
            Sign out
          </button>
        </nav>
      </header>
      <main>{page}</main>
    </div>
  );
}

/** An agent signed in with their own token: their desk, nothing else. */
function AgentShell({ ws, workerSid, signOut }: { ws: string; workerSid: string; signOut: () => void }) {
  const name = useWorkspaceName(ws);
  return (
    <div class="shell">
      <header>
        <div class="where">
          <span class="brand">Switchboard</span>
          <span class="workspace" data-testid="workspace-name">
            {name ?? ws}
          </span>
        </div>
        <nav aria-label="Account">
          <button type="button" class="link" onClick={signOut}>
            Sign out
          </button>
        </nav>
      </header>
      <main>
        <Desk ws={ws} workerSid={workerSid} />
      </main>
    </div>
  );
}

function Section({ ws, section, id }: { ws: string; section: string; id?: string }) {
  switch (section) {
    case 'queues':
      return <Queues ws={ws} />;
    case 'workers':
      return <Workers ws={ws} />;
    case 'workflows':
      return <Workflows ws={ws} />;
    case 'activities':
      return <Activities ws={ws} />;
    case 'events':
      return <Events ws={ws} />;
    case 'tasks':
      return id ? <TaskDetail ws={ws} sid={id} /> : <Tasks ws={ws} />;
    case 'desk':
      return <Desk ws={ws} workerSid={id} />;
    default:
      return <Dashboard ws={ws} />;
  }
}

render(<App />, document.getElementById('app')!);
