// The shared log's order when a node handles its COMMIT's answer late (store/postgres/sharedLog.ts, "Order"): a
// node paused between sending a group's COMMIT and handling the answer, while another node took the workspace
// over and wrote after it, must still hear its own group before the other node's later events, and once. The
// log's reads are scripted here (no database): what matters is the order in which the listeners hear.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { EventRecord } from '../../src/core/entities.ts';
import { newSid } from '../../src/core/sid.ts';
import { SharedLog } from '../../src/store/postgres/sharedLog.ts';

const AC = 'AC' + 'e'.repeat(32);
const WS = newSid('WS');

function event(description: string): EventRecord {
  return {
    sid: newSid('EV'), accountSid: AC, workspaceSid: WS, actorType: 'account', actorSid: AC, dateMs: Date.now(), eventType: 'task.updated',
    resourceType: 'task', resourceSid: newSid('WT'), description, eventData: { task_sid: newSid('WT') },
  };
}

/** A log row as the read query returns it. */
const row = (e: EventRecord, tx: number, seq: number, horizon: number) => ({ horizon: String(horizon), tx: String(tx), seq, sid: e.sid, data: JSON.stringify(e), date_ms: e.dateMs });
/** The query's answer when nothing is below the horizon but the horizon itself. */
const nothing = (horizon: number) => [{ horizon: String(horizon), tx: null, seq: null, sid: null, data: null, date_ms: null }];

test('an own group whose answer comes after a later transaction of another node is heard first, and once', async () => {
  const answers: unknown[][] = [];
  const heard: string[] = [];
  const log = new SharedLog(
    {
      query: async <R>() => (answers.shift() ?? nothing(0)) as R[],
      deliver: (events) => heard.push(...events.map((e) => e.description)),
      writerPid: () => 1,
    },
    '1',
    60_000,
  );
  const until = async (what: string, check: () => boolean) => {
    const deadline = Date.now() + 2000;
    while (!check()) {
      if (Date.now() > deadline) assert.fail(`timed out waiting for ${what} (heard ${heard.join(', ')})`);
      await new Promise((resolve) => setTimeout(resolve, 5));
    }
  };
  try {
    // The node's first group in the workspace waits for the log to pass it, then the stream is heard directly.
    const a0 = [event('a0')];
    log.sending(a0);
    answers.push(nothing(6));
    log.committed(5n, a0);
    await until('a0', () => heard.length === 1);

    // a1's COMMIT is sent; before its answer is handled, a read finds it and another node's later b1.
    const a1 = [event('a1')];
    const b1 = event('b1');
    log.sending(a1);
    answers.push([row(a1[0]!, 7, 10, 9), row(b1, 8, 11, 9)]);
    log.notified('', 2);
    await until('b1', () => heard.includes('b1'));
    log.committed(7n, a1);
    // And the stream's next own group is heard at once, after them.
    const a2 = [event('a2')];
    log.sending(a2);
    log.committed(10n, a2);
    assert.deepEqual(heard, ['a0', 'a1', 'b1', 'a2']);
  } finally {
    log.close();
  }
});
