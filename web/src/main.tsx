// The Switchboard console: a single-page app on the public APIs (REST with the signed-in credentials, the
// browser SDK for live events). Routes live in the URL hash: #/ (sign in, workspaces), #/WS.../dashboard,
// queues, workers, tasks, tasks/WT..., desk.
import { render } from 'preact';
import { useEffect, useState } from 'preact/hooks';
import { saveCredentials, savedCredentials } from './api.ts';
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

function App() {
  const hash = useHash();
  const [signedIn, setSignedIn] = useState(savedCredentials() !== undefined);
  if (!signedIn) return <SignIn onSignedIn={() => setSignedIn(true)} />;
  const [, ws, section = 'dashboard', id] = hash.replace(/^#/, '').split('/');
  // Account-wide pages (the other faces) sit beside the workspaces: #/opsflow.
  const accountPage = ws === 'opsflow' ? <Board /> : ws === 'definitions' ? <Definitions /> : undefined;
  const signOut = () => {
    saveCredentials(undefined);
    location.hash = '';
    setSignedIn(false);
  };
  return (
    <div class="shell">
      <header>
        <a class="brand" href="#/">Switchboard</a>
        <nav aria-label="Account">
          <a href="#/definitions" aria-current={ws === 'definitions' ? 'page' : undefined}>
            Task definitions
          </a>
          <a href="#/opsflow" aria-current={ws === 'opsflow' ? 'page' : undefined}>
            Opsflow board
          </a>
        </nav>
        {ws && !accountPage ? (
          <nav aria-label="Workspace">
            {SECTIONS.map(([key, label]) => (
              <a href={`#/${ws}/${key}`} aria-current={section === key ? 'page' : undefined}>
                {label}
              </a>
            ))}
          </nav>
        ) : null}
        <button type="button" class="link" onClick={signOut}>
          Sign out
        </button>
      </header>
      <main>{accountPage ?? (ws ? <Section ws={ws} section={section} id={id} /> : <WorkspacePicker />)}</main>
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
      return <Desk ws={ws} />;
    default:
      return <Dashboard ws={ws} />;
  }
}

render(<App />, document.getElementById('app')!);
