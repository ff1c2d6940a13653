// A short soak of three nodes on PostgreSQL (test/soak/soakRun.ts with `nodes`): requests go to the nodes in
// turn, so two in three are forwarded to the node that routes the workspace, and the workers' sockets are spread
// over the nodes (fed through the shared log). 20 seconds at 75 lifecycles/s, with task lists and statistics mixed
// in: no error at all, and every lifecycle started completes. It ran at 150/s, written when sockets were relayed
// to the owner by default: with sockets served where they land that is near three fresh nodes' capacity on this
// machine, and with a second test run sharing it they fell behind (10 to 45 lifecycles/s, request p99 4 to 16 s)
// and 112 forwarded requests waited too long (503). A test of errors runs within capacity. It found the owner remembering a task's version
// from a list read answered while its own newer write was being committed, so that its next write of the task
// was refused as a lost race (409) and failed the requests of its whole commit group: 7 to 32 errors in each
// 20 to 60 s run, within the first second (when run alone; under scripts/run-tests.mjs it did not show in two
// runs: test/store/rememberedVersions.test.ts holds the rule).
import { it } from 'node:test';
import assert from 'node:assert/strict';
import { skipWithoutPostgres } from '../support/postgres.ts';
import { runSoak, soakReport } from './soakRun.ts';

delete process.env.SWITCHBOARD_ACCOUNT_SID;
delete process.env.SWITCHBOARD_AUTH_TOKEN;

it('three nodes hold 75 lifecycles/s with requests forwarded, without an error', { skip: skipWithoutPostgres, timeout: 300_000 }, async (t) => {
  const r = await runSoak({ nodes: 3, seconds: 20, rate: 75, rowSeconds: 5, warmupSeconds: 5, windowSeconds: 5 });
  for (const line of soakReport(r, 5).split('\n')) t.diagnostic(line);
  assert.equal(r.errors, 0, [...r.errorSamples, ...r.serverLogs].join('\n'));
  assert.ok(r.started >= 0.95 * 75 * 20, `the schedule started ${r.started} lifecycles`);
  assert.equal(r.lifecycles, r.started, `${r.lifecycles} of ${r.started} lifecycles completed`);
  assert.equal(r.bookkeeping?.forwarded_requests, 0, 'no forwarded request left behind');
});
