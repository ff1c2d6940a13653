// The cluster chaos run of CI: 1 minute, three nodes on one PostgreSQL (a throwaway server of its own) under the
// mixed load, with 4 SIGKILLs of random nodes, a SIGSTOP of the workspace's owner past the lease TTL and a
// PostgreSQL restart (see clusterChaosRun.ts). Every invariant holds after each disturbance and at the end,
// every event reaches the callback receiver, and every socket session got its worker's reservation events in
// order, each once. `npm run chaos:cluster` is the long run (5 minutes, 16 kills).
import { it } from 'node:test';
import assert from 'node:assert/strict';
import { postgresBinDir } from '../../scripts/postgres.mjs';
import { clusterChaosFailures, clusterChaosSummary, runClusterChaos } from './clusterChaosRun.ts';

delete process.env.SWITCHBOARD_ACCOUNT_SID;
delete process.env.SWITCHBOARD_AUTH_TOKEN;

const skip = postgresBinDir() ? false : process.env.CI ? false : 'PostgreSQL is not installed';

it('3 nodes survive kills, a frozen owner and a PostgreSQL restart with nothing lost and every event delivered in order', { skip, timeout: 300_000 }, async (t) => {
  const c = await runClusterChaos({ kills: 4, seconds: 60 });
  t.diagnostic(clusterChaosSummary(c));
  assert.equal(c.kills, 4);
  assert.equal(c.freezes, 1);
  assert.equal(c.postgresRestarts, 1);
  assert.ok(c.databaseExits >= 3, `every node exited on the lost database connection (${c.databaseExits})`);
  assert.ok(c.restarts >= 7, `the supervisor restarted the nodes (${c.restarts})`);
  assert.ok(c.acknowledged > 300, `a real workload ran (${c.acknowledged} acknowledged requests)`);
  assert.ok(c.socketSessions >= 8 && c.socketFrames > 0, `workers were on sockets (${c.socketSessions} sessions, ${c.socketFrames} frames)`);
  const failures = clusterChaosFailures(c);
  assert.deepEqual(failures, Object.fromEntries(Object.keys(failures).map((k) => [k, 0])), c.problems.join('\n'));
});
