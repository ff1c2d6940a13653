// A reservation timeout armed before a crash still fires after the restart: the server is killed with
// SIGKILL while a reservation is pending, restarted after its deadline, and the task is re-routed.
import { after, it } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { formEncode } from '../support/server.ts';
import { startChild } from '../support/childServer.ts';

const dir = mkdtempSync(join(tmpdir(), 'switchboard-timers-'));
after(() => rmSync(dir, { recursive: true, force: true }));

const env = { SWITCHBOARD_DB: join(dir, 't.db'), SWITCHBOARD_ACCOUNT_SID: 'AC' + 'b2'.repeat(16), SWITCHBOARD_AUTH_TOKEN: 'timer-token-123' };

function client(origin: string) {
  const auth = 'Basic ' + Buffer.from(`${env.SWITCHBOARD_ACCOUNT_SID}:${env.SWITCHBOARD_AUTH_TOKEN}`).toString('base64');
  return async (method: string, path: string, form?: Record<string, string>) => {
    const res = await fetch(origin + path, {
      method,
      headers: { authorization: auth, ...(form ? { 'content-type': 'application/x-www-form-urlencoded' } : {}) },
      body: form ? formEncode(form) : undefined,
    });
    const text = await res.text();
    assert.ok(res.status < 300, `${method} ${path} -> ${res.status} ${text}`);
    return text ? JSON.parse(text) : undefined;
  };
}

it('a pending reservation times out after kill -9 and restart, and the task goes to the next worker', async () => {
  const first = await startChild(env);
  const call = client(first.origin);
  const ws = (await call('POST', '/v1/Workspaces', { FriendlyName: 'Timers' })).sid;
  const base = `/v1/Workspaces/${ws}`;
  const acts = Object.fromEntries((await call('GET', `${base}/Activities`)).activities.map((a: any) => [a.friendly_name, a.sid]));
  const q = (await call('POST', `${base}/TaskQueues`, { FriendlyName: 'Q' })).sid;
  await call('POST', `${base}/Workflows`, { FriendlyName: 'W', Configuration: JSON.stringify({ task_routing: { default_filter: { queue: q } } }), TaskReservationTimeout: '1' });
  const alice = (await call('POST', `${base}/Workers`, { FriendlyName: 'alice', ActivitySid: acts.Available })).sid;
  const task = (await call('POST', `${base}/Tasks`, { Attributes: '{}' })).sid;
  const [r] = (await call('GET', `${base}/Workers/${alice}/Reservations`)).reservations;
  assert.equal(r.reservation_status, 'pending');
  await first.kill('SIGKILL');

  // Bob appears while the server is down (written by the next server on start), after alice's deadline passed.
  await new Promise((resolve) => setTimeout(resolve, 1200));
  const second = await startChild(env);
  try {
    const call2 = client(second.origin);
    const after = (await call2('GET', `${base}/Workers/${alice}/Reservations`)).reservations;
    assert.equal(after[0].reservation_status, 'timeout', 'the overdue timeout fired at start');
    assert.equal((await call2('GET', `${base}/Workers/${alice}`)).activity_name, 'Offline');
    assert.equal((await call2('GET', `${base}/Tasks/${task}`)).assignment_status, 'pending');
    const bob = (await call2('POST', `${base}/Workers`, { FriendlyName: 'bob', ActivitySid: acts.Available })).sid;
    const bobs = (await call2('GET', `${base}/Workers/${bob}/Reservations?ReservationStatus=pending`)).reservations;
    assert.deepEqual(bobs.map((x: any) => x.task_sid), [task]);
    // Never two live reservations for one task (max_reserved_workers is 1).
    const live = (await call2('GET', `${base}/Tasks/${task}/Reservations`)).reservations.filter((x: any) => ['pending', 'accepted'].includes(x.reservation_status));
    assert.equal(live.length, 1);
  } finally {
    await second.kill('SIGKILL');
  }
});
