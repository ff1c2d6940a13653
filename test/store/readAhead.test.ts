// Store.readAhead on PostgreSQL: the documents of a workspace another node routes, fetched together, answer the
// replay's reads at once (a push to a socket on such a node read them one replay, one round trip, after the
// other); documents that do not exist answer "none" without a replay. So do the reservations of tasks (the push
// of a task event asks which workers hold the task): in a three-node soak each task event's lookup was a replay
// of its own, up to 39 for one commit, and pushes to sockets on the other nodes queued for a second.
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import type { EntityKind } from '../../src/core/entities.ts';
import { PostgresStore } from '../../src/store/postgres/postgresStore.ts';
import { newSid } from '../../src/core/sid.ts';
import { skipWithoutPostgres } from '../support/postgres.ts';
import { withOtherNode } from '../support/otherNode.ts';

describe('reading ahead on PostgreSQL', { skip: skipWithoutPostgres }, () => {
  it('answers the reads of a workspace another node routes without one replay per document', async () => {
    await withOtherNode('read_ahead', async ({ owner, other, accountSid, workspaceSid }) => {
      const docs = [
        { kind: 'activity', sid: newSid('WA'), friendlyName: 'Available' },
        { kind: 'worker', sid: newSid('WK'), friendlyName: 'alice' },
        { kind: 'worker', sid: newSid('WK'), friendlyName: 'bob' },
        { kind: 'taskQueue', sid: newSid('WQ'), friendlyName: 'support' },
      ] as const;
      owner.transaction((repo) => {
        for (const d of docs) repo.insert(d.kind, { sid: d.sid, accountSid, workspaceSid, friendlyName: d.friendlyName } as never);
      });
      await owner.durable();
      const missing = { kind: 'task' as EntityKind, sid: newSid('WT') };
      const wanted = [...docs.map((d) => ({ kind: d.kind as EntityKind, sid: d.sid })), missing];
      const names = () => other.read((repo) => wanted.map((d) => (repo.get(d.kind, d.sid) as { friendlyName?: string } | undefined)?.friendlyName ?? null));
      const expected = [...docs.map((d) => d.friendlyName), null];

      let attempts = 0;
      assert.deepEqual(await other.replaying(() => (attempts++, names())), expected);
      assert.equal(attempts, wanted.length + 1, 'without it: one replay per document');

      attempts = 0;
      const read = await other.replaying(async () => {
        attempts++;
        await other.readAhead(workspaceSid, wanted);
        return names();
      }, { acrossAwaits: true });
      assert.deepEqual(read, expected);
      assert.equal(attempts, 1, 'read ahead: no replay');
    });
  });

  it("answers the reads of tasks' reservations (who holds each task) in the same round trip, in the order a list read gives", async () => {
    await withOtherNode('read_ahead_held', async ({ owner, other, accountSid, workspaceSid }) => {
      const [held, heldTwice, free] = [newSid('WT'), newSid('WT'), newSid('WT')];
      const worker = newSid('WK');
      const reservations = [
        { sid: newSid('WR'), taskSid: held, workerSid: newSid('WK') },
        { sid: newSid('WR'), taskSid: heldTwice, workerSid: newSid('WK') },
        { sid: newSid('WR'), taskSid: held, workerSid: worker },
        { sid: newSid('WR'), taskSid: heldTwice, workerSid: worker },
      ];
      owner.transaction((repo) => {
        repo.insert('worker', { sid: worker, accountSid, workspaceSid, friendlyName: 'alice' } as never);
        for (const r of reservations) repo.insert('reservation', { ...r, accountSid, workspaceSid, reservationStatus: 'pending' } as never);
      });
      await owner.durable();
      const tasks = [held, heldTwice, free];
      const holders = () => other.read((repo) => ({
        holders: tasks.map((taskSid) => repo.findAll('reservation', { taskSid }).map((r) => r.workerSid)),
        worker: (repo.get('worker', worker) as { friendlyName?: string } | undefined)?.friendlyName,
      }));
      const expected = {
        holders: tasks.map((taskSid) => reservations.filter((r) => r.taskSid === taskSid).map((r) => r.workerSid)),
        worker: 'alice',
      };

      let attempts = 0;
      assert.deepEqual(await other.replaying(() => (attempts++, holders())), expected);
      assert.equal(attempts, tasks.length + 2, 'without it: one replay per task and one for the worker');

      attempts = 0;
      const read = await other.replaying(async () => {
        attempts++;
        await other.readAhead(workspaceSid, [{ kind: 'worker', sid: worker }], tasks);
        return holders();
      }, { acrossAwaits: true });
      assert.deepEqual(read, expected);
      assert.equal(attempts, 1, 'read ahead: no replay');
    });
  });
});
