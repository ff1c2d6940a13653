// Several nodes on one PostgreSQL database (store/postgres/sharedLog.ts): a node's commit listeners hear its own
// events once, when the COMMIT is answered, and the other nodes' events they need once each, in commit order;
// events of workspaces a node has no interest in are not read there; and a node's first commit in a workspace
// (as after taking it over) is heard only after the previous owner's last events.
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import type { EventRecord } from '../../src/core/entities.ts';
import { type LogInterest, type LogInterestPart, mergeInterests } from '../../src/core/logInterest.ts';
import { newSid } from '../../src/core/sid.ts';
import pg from 'pg';
import { PostgresStore } from '../../src/store/postgres/postgresStore.ts';
import { EVENT_INSERT_COLUMNS, eventRow } from '../../src/store/storeSchema.ts';
import { freshDatabase, skipWithoutPostgres } from '../support/postgres.ts';

const AC = 'AC' + 'f'.repeat(32);
const WS1 = newSid('WS');
const WS2 = newSid('WS');
const WS9 = newSid('WS');
const WS3 = newSid('WS');

const interest = (part: LogInterestPart): LogInterest => mergeInterests([part]);

function event(workspaceSid: string, description: string, eventType = 'task.updated', accountSid = AC): EventRecord {
  return {
    sid: newSid('EV'), accountSid, workspaceSid, actorType: 'account', actorSid: accountSid, dateMs: Date.now(), eventType,
    resourceType: 'task', resourceSid: newSid('WT'), description, eventData: { workspace_sid: workspaceSid, task_sid: newSid('WT') },
  };
}

/** A node's store and what its commit listeners heard, by description. */
interface Node {
  store: PostgresStore;
  heard: string[];
  interest: LogInterest | 'everything';
}

async function node(url: string, pollMs = 50): Promise<Node> {
  const store = await PostgresStore.open(url);
  await store.followSharedLog(pollMs);
  const n: Node = { store, heard: [], interest: interest({}) };
  store.onCommit((events) => n.heard.push(...events.map((e) => e.description)));
  store.limitSharedLog(() => n.interest);
  return n;
}

async function commit(n: Node, ...events: EventRecord[]): Promise<void> {
  await n.store.replaying(() => n.store.transaction((repo) => events.forEach((e) => repo.appendEvent(e))));
  await n.store.durable();
}

async function until(what: string, check: () => boolean): Promise<void> {
  const deadline = Date.now() + 5000;
  while (!check()) {
    if (Date.now() > deadline) assert.fail(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
}

describe('the shared log of several nodes', { skip: skipWithoutPostgres }, () => {
  let a: Node, b: Node, c: Node, d: Node;
  before(async () => {
    const url = await freshDatabase('sharedlog');
    [a, b, c] = [await node(url), await node(url), await node(url)];
    // d reads only when notified (its poll would come after the test), so the test decides what it has read.
    d = await node(url, 60_000);
  });
  after(() => {
    for (const n of [a, b, c, d]) n.store.close();
  });

  it('hears its own events once at commit, and the other nodes\' events it needs once each, in commit order', async () => {
    a.interest = interest({ streams: new Set([WS1]) });
    b.interest = 'everything';
    await commit(a, event(WS1, 'a1'), event(WS2, 'a2'));
    await until('a to hear its first commit', () => a.heard.length === 2);
    await commit(b, event(WS1, 'b1'), event(WS2, 'b2'));
    // Nodes' commits are ordered only through the log: a hears b1 when it reads it, so wait for that before a
    // commits again (only a workspace's owner writes it; this test's two writers of WS1 are not a real case).
    await until('a to hear b1', () => a.heard.includes('b1'));
    await commit(a, event(WS1, 'a3'));
    // a3 is a's second commit in WS1: heard when its COMMIT is answered, before any read of the log.
    assert.ok(a.heard.includes('a3'), `a heard ${a.heard}`);
    await until('b to hear a3', () => b.heard.includes('a3'));
    await new Promise((resolve) => setTimeout(resolve, 300)); // several polls: nothing more arrives
    assert.deepEqual(a.heard, ['a1', 'a2', 'b1', 'a3'], 'a: its own events and b1 (WS1), not b2 (WS2)');
    assert.deepEqual(b.heard, ['a1', 'a2', 'b1', 'b2', 'a3'], 'b: everything, each once, in commit order');
    assert.deepEqual(c.heard, [], 'c needs nothing: it reads nothing');
  });

  it('reads only the streams, types and accounts a node follows (the background loops), each once, in commit order', async () => {
    const AC2 = 'AC' + 'e'.repeat(32);
    c.interest = interest({
      streamPrefixes: ['workflow:', 'a_b:'],
      accounts: new Set([AC2]),
      types: new Set(['opsflow.created']),
      typed: { streams: new Set([WS1]), types: new Set(['task.completed']) },
    });
    await commit(
      b,
      event(WS1, 'WS1 updated'),
      event(WS1, 'WS1 completed', 'task.completed'),
      event(WS2, 'WS2 completed', 'task.completed'),
      event('workflow:' + AC, 'workflow stream', 'workflow.task.created'),
      event('aXb:' + AC, 'not a prefix: _ is no wildcard', 'workflow.task.created'),
      event('opsflow:' + AC, 'opsflow created', 'opsflow.created'),
      event('opsflow:' + AC, 'opsflow changed', 'opsflow.changed'),
      event(WS2, 'WS2 updated by AC2', 'task.updated', AC2),
    );
    await until('c to hear the four it follows', () => c.heard.length >= 4);
    await commit(a, event(WS2, 'WS2 updated'), event(WS3, 'WS3 completed', 'task.completed'));
    // The interest grows (a route in WS2): from then on WS2's completions are read too.
    c.interest = interest({ ...c.interest, typed: { streams: new Set([WS1, WS2]), types: new Set(['task.completed']) } });
    await commit(a, event(WS2, 'WS2 completed later', 'task.completed'), event(WS2, 'WS2 updated later'));
    await until('c to hear the later completion', () => c.heard.includes('WS2 completed later'));
    await new Promise((resolve) => setTimeout(resolve, 200));
    assert.deepEqual(c.heard, ['WS1 completed', 'workflow stream', 'opsflow created', 'WS2 updated by AC2', 'WS2 completed later']);
  });

  it("holds a node's first commit in a workspace until the previous writer's last events are heard", async () => {
    b.heard.length = 0;
    // b routes WS9 and commits; d has not read that commit yet (its notification named nothing d needed then).
    await commit(b, event(WS9, 'old owner'));
    await new Promise((resolve) => setTimeout(resolve, 100));
    assert.deepEqual(d.heard, []);
    // d takes WS9 over and commits at once: its event must not be heard before b's.
    d.interest = interest({ streams: new Set([WS9]) });
    await commit(d, event(WS9, 'new owner'));
    await until('d to hear both', () => d.heard.length === 2);
    assert.deepEqual(d.heard, ['old owner', 'new owner']);
    // From then on d's events in WS9 are heard at commit.
    await commit(d, event(WS9, 'new owner again'));
    assert.deepEqual(d.heard, ['old owner', 'new owner', 'new owner again']);
    // Having let WS9 go, d's next commit there waits for the log again, and is still heard exactly once.
    d.store.unload(WS9);
    await commit(d, event(WS9, 'after unload'));
    await until('d to hear it', () => d.heard.length === 4);
    await new Promise((resolve) => setTimeout(resolve, 150));
    assert.deepEqual(d.heard, ['old owner', 'new owner', 'new owner again', 'after unload']);
    await until("b to hear d's three", () => b.heard.length === 4);
    assert.deepEqual(b.heard, ['old owner', 'new owner', 'new owner again', 'after unload']);
  });
});

// The log reader goes through event_commits, one row per transaction that wrote events (migration 0042): a node
// writes its groups' rows itself; the table's trigger writes them for any other writer of events.
describe('the shared log: a row per transaction that wrote events', { skip: skipWithoutPostgres }, () => {
  let url: string;
  let a: Node, b: Node;
  before(async () => {
    url = await freshDatabase('eventcommits');
    [a, b] = [await node(url), await node(url)];
  });
  after(() => {
    for (const n of [a, b]) n.store.close();
  });
  const rows = (n: Node) => n.store.queryAside<{ tx: string; streams: string[]; types: string[]; accounts: string[] }>('SELECT tx_id::text AS tx, streams, types, accounts FROM event_commits ORDER BY tx_id');
  const sorted = (values: string[]) => [...values].sort();

  it("a node's group writes one row with its events' streams, types and accounts", async () => {
    const AC2 = 'AC' + 'd'.repeat(32);
    const before = (await rows(a)).length;
    await commit(a, event(WS1, 'one'), event(WS2, 'two', 'task.created'), event(WS1, 'three', 'task.created', AC2));
    const after = await rows(a);
    assert.equal(after.length, before + 1);
    const row = after.at(-1)!;
    assert.deepEqual([sorted(row.streams), sorted(row.types), sorted(row.accounts)], [sorted([WS1, WS2]), ['task.created', 'task.updated'], sorted([AC, AC2])]);
  });

  it('hears the events of a writer that does not write the row (a node of an earlier version): the trigger writes it', async () => {
    b.interest = interest({ streams: new Set([WS3]) });
    b.heard.length = 0;
    const columns = EVENT_INSERT_COLUMNS;
    const insert = (count: number) => `INSERT INTO events (${columns.join(', ')}) VALUES ${Array.from({ length: count }, (_, r) => `(${columns.map((_, c) => `$${r * columns.length + c + 1}`).join(', ')})`).join(', ')}`;
    const client = new pg.Client({ connectionString: url });
    await client.connect();
    try {
      await client.query('BEGIN');
      // Two statements in one transaction: the trigger merges the second's lists into the row of the first.
      await client.query(insert(2), [event(WS2, 'old writer, WS2'), event(WS3, 'old writer, WS3')].flatMap(eventRow));
      await client.query(insert(1), eventRow(event(WS9, 'old writer, WS9', 'task.completed')));
      await client.query('COMMIT');
    } finally {
      await client.end();
    }
    const row = (await rows(b)).at(-1)!;
    assert.deepEqual([sorted(row.streams), sorted(row.types)], [sorted([WS2, WS3, WS9]), ['task.completed', 'task.updated']]);
    await until('b to hear the WS3 event', () => b.heard.length === 1);
    await new Promise((resolve) => setTimeout(resolve, 150));
    assert.deepEqual(b.heard, ['old writer, WS3']);
  });

  it('retention removes the rows of transactions whose events are all gone, older than every event left', async () => {
    const n = await node(await freshDatabase('eventcommitsprune'));
    try {
      const txs = async () => (await rows(n)).map((r) => r.tx);
      await commit(n, { ...event(WS1, 'expired'), dateMs: Date.now() - 40 * 86_400_000 });
      await commit(n, event(WS2, 'recent'));
      const [expired, recent] = await txs();
      // As a retention pass does: the workspace's events, then the log's rows.
      const prune = async (ws: string, cutoff: number) => {
        while ((await n.store.pruneBatch(ws, cutoff, 1000)) > 0);
        while ((await n.store.pruneLogRows(1000)) > 0);
      };
      await prune(WS1, Date.now() - 30 * 86_400_000);
      assert.deepEqual(await txs(), [recent], `the expired event's row goes (${expired}), the recent one's stays`);
      // With no event left, every row of a transaction that is over goes: over for the whole server, whose
      // transaction ids the other test files' databases share, so a transaction of theirs still open may hold
      // the horizon below it for a moment (CI saw the row stay once). A later pass takes it.
      await prune(WS2, Date.now() + 86_400_000);
      const deadline = Date.now() + 10_000;
      let left = await txs();
      while (left.length > 0 && Date.now() < deadline) {
        await new Promise((resolve) => setTimeout(resolve, 50));
        await prune(WS2, Date.now() + 86_400_000);
        left = await txs();
      }
      assert.deepEqual(left, []);
    } finally {
      n.store.close();
    }
  });
});
