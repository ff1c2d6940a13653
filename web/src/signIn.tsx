// Sign-in with account credentials, an API key or a bearer token (kept in sessionStorage: this tab only), then
// the workspaces.
import { useEffect, useState } from 'preact/hooks';
import { api, ApiProblem, type Credentials, saveCredentials } from './api.ts';

export function SignIn({ onSignedIn }: { onSignedIn: () => void }) {
  const [error, setError] = useState<string>();
  const signIn = async (credentials: Credentials) => {
    saveCredentials(credentials);
    try {
      await api('GET', '/v1/Workspaces?PageSize=1');
      onSignedIn();
    } catch (err) {
      saveCredentials(undefined);
      setError(err instanceof ApiProblem && err.status === 401 ? 'Those credentials were not accepted.' : (err as Error).message);
    }
  };
  const submit = (e: Event) => {
    e.preventDefault();
    const data = new FormData(e.target as HTMLFormElement);
    void signIn({ username: String(data.get('username')).trim(), password: String(data.get('password')) });
  };
  const submitToken = (e: Event) => {
    e.preventDefault();
    void signIn({ token: String(new FormData(e.target as HTMLFormElement).get('token')).trim() });
  };
  return (
    <main class="signin">
      <h1>Switchboard console</h1>
      <form onSubmit={submit}>
        <label>
          Account SID or API key SID
          <input name="username" required autoComplete="username" pattern="(AC|SK)[0-9a-fA-F]{32}" />
        </label>
        <label>
          Auth token or API key secret
          <input name="password" type="password" required autoComplete="current-password" />
        </label>
        <button type="submit">Sign in</button>
      </form>
      <form onSubmit={submitToken}>
        <label>
          Or a bearer token (a user token, or your identity provider's)
          <input name="token" type="password" required autoComplete="off" />
        </label>
        <button type="submit">Sign in with the token</button>
      </form>
      {error ? <p role="alert" class="error">{error}</p> : null}
    </main>
  );
}

export function WorkspacePicker() {
  const [workspaces, setWorkspaces] = useState<{ sid: string; friendly_name: string }[]>();
  const [error, setError] = useState<string>();
  useEffect(() => {
    api('GET', '/v1/Workspaces?PageSize=100').then((r) => setWorkspaces(r.workspaces), (e) => setError(e.message));
  }, []);
  return (
    <section>
      <h1>Workspaces</h1>
      {error ? <p role="alert" class="error">{error}</p> : null}
      {workspaces?.length === 0 ? <p>No workspace yet: create one through the API.</p> : null}
      <ul class="cards">
        {workspaces?.map((w) => (
          <li>
            <a href={`#/${w.sid}/dashboard`}>{w.friendly_name}</a> <code>{w.sid}</code>
          </li>
        ))}
      </ul>
    </section>
  );
}
