// Sign-in (kept in sessionStorage: this tab only): a supervisor with account credentials, an API key or a bearer
// token (a user token, or the organisation's identity provider's), an agent with the sign-in token their
// supervisor issued for them (a worker token: their own desk and nothing more).
// Then the workspaces, paged.
import { useState } from 'preact/hooks';
import { api, ApiProblem, readWorkerToken, saveCredentials, type Credentials } from './api.ts';
import { Pager, twilioPage, usePages } from './paging.tsx';

/** Keeps the credentials if `check` succeeds with them; otherwise forgets them and says why. */
async function tryCredentials(c: Credentials, check: () => Promise<unknown>): Promise<string | undefined> {
  saveCredentials(c);
  try {
    await check();
    return undefined;
  } catch (err) {
    saveCredentials(undefined);
    return err instanceof ApiProblem && (err.status === 401 || err.status === 403) ? 'Those credentials were not accepted.' : (err as Error).message;
  }
}

export function SignIn({ onSignedIn }: { onSignedIn: () => void }) {
  const [error, setError] = useState<string>();
  const [agentError, setAgentError] = useState<string>();
  const supervisor = async (e: Event) => {
    e.preventDefault();
    const data = new FormData(e.target as HTMLFormElement);
    const problem = await tryCredentials({ kind: 'account', username: String(data.get('username')).trim(), password: String(data.get('password')) }, () => api('GET', '/v1/Workspaces?PageSize=1'));
    if (problem) return setError(problem);
    onSignedIn();
  };
  const bearer = async (e: Event) => {
    e.preventDefault();
    const token = String(new FormData(e.target as HTMLFormElement).get('token')).trim();
    const problem = await tryCredentials({ kind: 'bearer', token }, () => api('GET', '/v1/Workspaces?PageSize=1'));
    if (problem) return setError(problem);
    onSignedIn();
  };
  const agent = async (e: Event) => {
    e.preventDefault();
    const token = String(new FormData(e.target as HTMLFormElement).get('token')).trim();
    const claims = readWorkerToken(token);
    if (!claims) return setAgentError('That is not a worker sign-in token: ask your supervisor for one (Workers, Sign-in).');
    if (claims.expiresAt !== undefined && claims.expiresAt < Date.now()) return setAgentError('That sign-in token has expired: ask your supervisor for a new one.');
    const problem = await tryCredentials({ kind: 'worker', token, ...claims }, () => api('GET', `/v1/Workspaces/${claims.workspaceSid}/Workers/${claims.workerSid}`));
    if (problem) return setAgentError(problem);
    location.hash = '';
    onSignedIn();
  };
  return (
    <main class="signin">
      <h1>Switchboard console</h1>
      <form onSubmit={supervisor} class="card" aria-labelledby="supervisor-heading">
        <h2 id="supervisor-heading">Supervisors</h2>
        <label>
          Account SID or API key SID
          <input name="username" required autoComplete="username" pattern="(AC|SK)[0-9a-fA-F]{32}" />
        </label>
        <label>
          Auth token or API key secret
          <input name="password" type="password" required autoComplete="current-password" />
        </label>
        {error ? <p role="alert" class="error">{error}</p> : null}
        <button type="submit">Sign in</button>
      </form>
      <form onSubmit={bearer} class="card" aria-labelledby="bearer-heading">
        <h2 id="bearer-heading">Supervisors with a token</h2>
        <label>
          Bearer token (a user token, or your identity provider's)
          <input name="token" type="password" required autoComplete="off" />
        </label>
        <button type="submit">Sign in with the token</button>
      </form>
      <form onSubmit={agent} class="card" aria-labelledby="agent-heading">
        <h2 id="agent-heading">Agents</h2>
        <label>
          Sign-in token from your supervisor
          <textarea name="token" rows={3} required autoComplete="off" spellcheck={false} />
        </label>
        {agentError ? <p role="alert" class="error">{agentError}</p> : null}
        <button type="submit">Sign in as an agent</button>
      </form>
    </main>
  );
}

export function WorkspacePicker() {
  const pages = usePages((cursor: string | undefined) => twilioPage(cursor ?? '/v1/Workspaces?PageSize=50', 'workspaces'), 'workspaces');
  return (
    <section>
      <h1>Workspaces</h1>
      {pages.error ? <p role="alert" class="error">{pages.error}</p> : null}
      {pages.page?.items.length === 0 && pages.index === 0 ? <p>No workspace yet: create one through the API (or run `npx switchboard demo`).</p> : null}
      <ul class="cards" aria-label="Workspaces">
        {pages.page?.items.map((w) => (
          <li>
            <a href={`#/${w.sid}/dashboard`}>{w.friendly_name}</a> <span class="sid hint">{w.sid}</span>
          </li>
        ))}
      </ul>
      <Pager label="Workspaces" pages={pages} pageSize={50} />
    </section>
  );
}
