// Cluster nodes announce a commit (the NOTIFY on sb_events) only when another node may need its events
// (store/postgres/interestExchange.ts): each node publishes what its listeners need in its cluster_nodes row. On a
// real database with two nodes: a commit nobody else needs is not announced; one the other node needs is, and
// is heard there; when a node's interest grows, it hears the other node's next commits in what it now needs.
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import pg from 'pg';
import type { EventRecord } from '../../src/core/entities.ts';
import { type LogInterest, type LogInterestPart, mergeInterests } from '../../src/core/logInterest.ts';
import { newSid } from '../../src/core/sid.ts';
import { PostgresStore } from '../../src/store/postgres/postgresStore.ts';
import { freshDatabase, skipWithoutPostgres } from '../support/postgres.ts';

const AC = 'AC' + 'e'.repeat(32);
const WS1 = newSid('WS');
const WS2 = newSid('WS');

const interest = (part: LogInterestPart): LogInterest => mergeInterests([part]);

function event(workspaceSid: string, description: string): EventRecord {
  return {
    sid: newSid('EV'), accountSid: AC, workspaceSid, actorType: 'account', actorSid: AC, dateMs: Date.now(), eventType: 'task.updated',
    resourceType: 'task', resourceSid: newSid('WT'), description, eventData: { workspace_sid: workspaceSid, task_sid: newSid('WT') },
  };
}

interface Node {
  id: string;
  store: PostgresStore;
  heard: string[];
  interest: LogInterest;
}

async function until(what: string, check: () => boolean | Promise<boolean>, ms = 5000): Promise<void> {
  const deadline = Date.now() + ms;
  while (!(await check())) {
    if (Date.now() > deadline) assert.fail(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
}

describe('commit announcements between cluster nodes', { skip: skipWithoutPostgres }, () => {
  let url: string;
  let a: Node, b: Node;
  let watcher: pg.Client;
  /** The sb_events payloads sent, in order. */
  const announced: string[] = [];

  const published = (n: Node) => async () => {
    const row = (await watcher.query(`SELECT log_interest FROM cluster_nodes WHERE node_id = $1`, [n.id])).rows[0];
    return JSON.stringify(row?.log_interest?.streams ?? null) === JSON.stringify([...n.interest.streams].sort());
  };

  async function node(id: string, streams: string[]): Promise<Node> {
    await watcher.query(`INSERT INTO cluster_nodes (node_id) VALUES ($1)`, [id]);
    const store = await PostgresStore.open(url, { nodeId: id, leaseTtlMs: 60_000 });
    const n: Node = { id, store, heard: [], interest: interest({ streams: new Set(streams) }) };
    await store.followSharedLog(50);
    store.onCommit((events) => n.heard.push(...events.map((e) => e.description)));
    store.limitSharedLog(() => n.interest);
    return n;
  }

  async function commit(n: Node, e: EventRecord): Promise<void> {
    await n.store.replaying(() => n.store.transaction((repo) => repo.appendEvent(e)));
    await n.store.durable();
  }

  before(async () => {
    url = await freshDatabase('interests');
    // The store's migrations make cluster_nodes: open one store first, then watch.
    (await PostgresStore.open(url)).close();
    watcher = new pg.Client({ connectionString: url });
    await watcher.connect();
    await watcher.query('LISTEN sb_events');
    watcher.on('notification', (n) => {
      if (n.channel === 'sb_events') announced.push(n.payload ?? '');
    });
    a = await node('node-a', [WS1]);
    b = await node('node-b', [WS2]);
    await until('both interests to be published', async () => (await published(a)()) && (await published(b)()));
    // Each node loads the other's row when told (sb_interest) and every second: give them that second.
    await new Promise((resolve) => setTimeout(resolve, 1_200));
  });
  after(async () => {
    a?.store.close();
    b?.store.close();
    await watcher?.end();
  });

  it('does not announce a commit no other node needs', async () => {
    const before = announced.length;
    await commit(a, event(WS1, 'a-ws1'));
    // A node's first commit in a stream is heard once the log was read past it (sharedLog.ts, "Order").
    await until('a to hear its own a-ws1', () => a.heard.includes('a-ws1'));
    await new Promise((resolve) => setTimeout(resolve, 300));
    assert.deepEqual(announced.slice(before), []);
    assert.ok(!b.heard.includes('a-ws1'));
  });

  it('announces a commit another node needs, and that node hears it', async () => {
    const before = announced.length;
    await commit(a, event(WS2, 'a-ws2'));
    await until('b to hear a-ws2', () => b.heard.includes('a-ws2'));
    await until('the announcement', () => announced.length > before);
    assert.ok(announced.slice(before).some((p) => p.split(';')[0]!.split(',').includes(WS2)), `announced ${announced.slice(before)}`);
  });

  it('hears the next commits in what a node needs once its interest grew', async () => {
    b.interest = interest({ streams: new Set([WS1, WS2]) });
    await until("b's grown interest to be published", published(b));
    await commit(a, event(WS1, 'a-ws1-after'));
    // At most one poll of b's late: b's reader, if a had not heard yet when it committed.
    await until('b to hear a-ws1-after', () => b.heard.includes('a-ws1-after'), 2_000);
    // Once a has loaded b's row, its commits there are announced.
    await new Promise((resolve) => setTimeout(resolve, 1_200));
    const before = announced.length;
    await commit(a, event(WS1, 'a-ws1-later'));
    await until('the announcement of a-ws1-later', () => announced.length > before);
    await until('b to hear a-ws1-later', () => b.heard.includes('a-ws1-later'));
  });
});
