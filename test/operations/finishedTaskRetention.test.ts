// How long a completed or canceled task stays before it is removed: TaskRouter's 5 minutes unless
// SWITCHBOARD_FINISHED_TASK_RETENTION_SECONDS or --finished-task-retention-seconds says otherwise (the benchmarks
// shorten it so that a window of a few seconds holds the removals of a steady load). Parsed as documented, and a
// server process given 1 second removes a canceled task about a second after it finished.
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { loadConfig } from '../../src/config.ts';
import { benchCalls } from '../../bench/benchServer.ts';
import { type ChildServer, startChild } from '../support/childServer.ts';

describe('the finished task retention', () => {
  it('is 300 seconds unless the environment or the flag says otherwise, at least 1', () => {
    assert.equal(loadConfig([], {}).finishedTaskRetentionSeconds, 300);
    assert.equal(loadConfig([], { SWITCHBOARD_FINISHED_TASK_RETENTION_SECONDS: '900' }).finishedTaskRetentionSeconds, 900);
    assert.equal(loadConfig(['--finished-task-retention-seconds', '2.5'], { SWITCHBOARD_FINISHED_TASK_RETENTION_SECONDS: '900' }).finishedTaskRetentionSeconds, 2.5);
    for (const bad of ['0', '-5', 'soon', ' ']) assert.throws(() => loadConfig([], { SWITCHBOARD_FINISHED_TASK_RETENTION_SECONDS: bad }), /invalid finished task retention/);
  });

  describe('on a server given 1 second', () => {
    const account = { sid: 'AC' + 'f1'.repeat(16), token: 'finished-retention-token' };
    let dir: string;
    let server: ChildServer;
    let call: ReturnType<typeof benchCalls>['form'];

    before(async () => {
      dir = mkdtempSync(join(tmpdir(), 'switchboard-finished-retention-'));
      server = await startChild({ SWITCHBOARD_DB: join(dir, 'test.db'), SWITCHBOARD_ACCOUNT_SID: account.sid, SWITCHBOARD_AUTH_TOKEN: account.token, SWITCHBOARD_FINISHED_TASK_RETENTION_SECONDS: '1' });
      call = benchCalls(server.origin, account).form;
    });
    after(async () => {
      await server?.kill('SIGTERM');
      rmSync(dir, { recursive: true, force: true });
    });

    it('removes a canceled task about a second after it finished', async () => {
      const ws = (await call('POST', '/v1/Workspaces', { FriendlyName: 'retention', Template: 'FIFO' })).sid;
      const task = (await call('POST', `/v1/Workspaces/${ws}/Tasks`, { Attributes: '{}' })).sid;
      const canceledAt = Date.now();
      assert.equal((await call('POST', `/v1/Workspaces/${ws}/Tasks/${task}`, { AssignmentStatus: 'canceled' })).assignment_status, 'canceled');
      assert.equal((await call('GET', `/v1/Workspaces/${ws}/Tasks/${task}`)).assignment_status, 'canceled', 'readable at first');
      let removedAfter: number | undefined;
      while (removedAfter === undefined && Date.now() - canceledAt < 10_000) {
        await new Promise((resolve) => setTimeout(resolve, 100));
        await call('GET', `/v1/Workspaces/${ws}/Tasks/${task}`).catch((err: Error) => {
          assert.match(err.message, /: 404 /);
          removedAfter = Date.now() - canceledAt;
        });
      }
      assert.ok(removedAfter !== undefined, 'the task was removed');
      assert.ok(removedAfter >= 1000 && removedAfter < 5000, `removed ${removedAfter} ms after it was canceled`);
      assert.deepEqual((await call('GET', `/v1/Workspaces/${ws}/Tasks`)).tasks, [], 'and is listed no more');
    });
  });
});
