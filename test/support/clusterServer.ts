// startServer() in cluster mode (SWITCHBOARD_TEST_CLUSTER=1): the server under test is one node of a 3-node
// cluster on a fresh PostgreSQL database, the other two are `switchboard serve` processes.
//  * Without an injected clock the node under test routes no workspace: every TaskRouter request it receives
//    is forwarded through the database to another node, and its sockets are fed by the shared log.
//  * With one (tests that drive timers by hand) it routes every workspace, so its timers follow the test's
//    clock; the other two nodes are members that route nothing.
import { buildServer } from '../../src/server.ts';
import { Engine } from '../../src/engine/engine.ts';
import { ensureBootstrapAccount } from '../../src/auth/bootstrap.ts';
import { formatMasterKey, newMasterKey } from '../../src/auth/secretBox.ts';
import { openStoredSecrets } from '../../src/auth/storedSecrets.ts';
import { ClusterNode } from '../../src/cluster/clusterNode.ts';
import { newSecret, newSid } from '../../src/core/sid.ts';
import { type ChildServer, startChild } from './childServer.ts';
import { freshDatabase } from './postgres.ts';
import { listenForTest, type TestServer, type TestServerOptions } from './server.ts';

/** Also what `RoutingFixture.create(..., { cluster: true })` runs on, whatever SWITCHBOARD_TEST_CLUSTER says. */
export async function startClusterServer(options: TestServerOptions): Promise<TestServer> {
  const url = await freshDatabase('realclient');
  const accountSid = newSid('AC');
  const authToken = newSecret();
  const testRoutes = options.clock !== undefined;
  // Every node of a cluster holds the same master key of the stored secrets.
  const secretKey = formatMasterKey(newMasterKey());
  const env = {
    SWITCHBOARD_DB: url, SWITCHBOARD_ACCOUNT_SID: accountSid, SWITCHBOARD_AUTH_TOKEN: authToken, SWITCHBOARD_LEASE_TTL_MS: '2000', SWITCHBOARD_ROUTES_WORKSPACES: String(!testRoutes),
    SWITCHBOARD_SECRET_KEY: secretKey,
  };
  // close() stops them; a test process that ends without it (a failed start of the second one included) must not
  // leave them running.
  const others: ChildServer[] = [];
  process.once('exit', () => {
    for (const o of others) o.process.kill('SIGKILL');
  });
  try {
    others.push(await startChild(env));
    others.push(await startChild(env));
  } catch (err) {
    for (const o of others) await o.kill();
    throw err;
  }
  const node = await ClusterNode.open(url, { leaseTtlMs: 2000, routesWorkspaces: testRoutes });
  const store = node.store;
  const secrets = await openStoredSecrets(store, { keys: secretKey }, () => undefined);
  await store.replaying(() => ensureBootstrapAccount(store, secrets, { accountSid, authToken }, Date.now()));
  await store.durable();
  const engine = new Engine(store, { clock: options.clock, autoTimers: !options.manualTimers, ...node.engineOptions });
  const app = await buildServer({
    store, secrets, engine, clock: options.clock, rateLimit: options.rateLimit, callbacks: options.callbacks, workflowActions: options.workflowActions, corsOrigins: options.corsOrigins, runsBackground: node.runsBackground, checkResponses: true, oidc: options.oidc, sockets: { presence: node.presence, relay: node.relay },
  });
  await node.join(app, engine);
  await engine.start();
  return listenForTest({ app, store, engine, accountSid, authToken, dir: '', databaseUrl: url }, async () => {
    for (const o of others) await o.kill('SIGTERM');
  });
}
