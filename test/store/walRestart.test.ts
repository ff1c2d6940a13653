// The SQLite store's WAL under a steady write load (sqliteStore.ts, restartWal): it restarts from its beginning
// once it holds the restart size, so it stays near that size however much is written, and it is never cut
// back (a truncate frees blocks inside the call, on the event loop: seconds on a filesystem mounted with
// `discard`). Every committed row is still there after a reopen.
import assert from 'node:assert/strict';
import { existsSync, mkdtempSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import type { EventRecord } from '../../src/core/entities.ts';
import { newSid } from '../../src/core/sid.ts';
import { SqliteStore } from '../../src/store/sqlite/sqliteStore.ts';

const PAGE = 4096;

function event(ws: string, i: number): EventRecord {
  return {
    sid: newSid('EV'),
    accountSid: 'AC' + 'a'.repeat(32),
    workspaceSid: ws,
    eventType: 'task.created',
    actorType: 'account',
    actorSid: 'AC' + 'a'.repeat(32),
    resourceType: 'task',
    resourceSid: newSid('WT'),
    description: `event ${i} ` + 'x'.repeat(800),
    eventData: { task_sid: newSid('WT'), task_age: 0 },
    dateMs: Date.now(),
  };
}

test('the WAL restarts at its restart size under a steady load and is never truncated', { timeout: 120_000 }, async () => {
  const dir = mkdtempSync(join(tmpdir(), 'sb-wal-'));
  const path = join(dir, 'db.sqlite');
  const restartFrames = 512; // 2 MiB
  const ws = 'WS' + 'b'.repeat(32);
  let written = 0;
  try {
    const store = new SqliteStore(path, { walRestartFrames: restartFrames });
    const sizes: number[] = [];
    // Groups committed back to back, each not waiting for the one before to be durable (as a loaded server's
    // requests do), for 8 seconds: the worker's copies never find the WAL wholly copied when a write begins.
    const durable: Promise<void>[] = [];
    const until = Date.now() + 8_000;
    while (Date.now() < until) {
      store.transaction((repo) => {
        for (let i = 0; i < 10; i++) repo.appendEvent(event(ws, written + i));
      });
      written += 10;
      durable.push(store.durable());
      await new Promise((r) => setTimeout(r, 1));
      sizes.push(statSync(`${path}-wal`).size);
    }
    await Promise.all(durable);
    const largest = Math.max(...sizes);
    for (let i = 1; i < sizes.length; i++) assert.ok(sizes[i] >= sizes[i - 1], `the WAL shrank from ${sizes[i - 1]} to ${sizes[i]} bytes (truncated)`);
    // It grew past the restart size (the worker reports after each copy, every 100 ms) but restarted instead
    // of growing on: without the restarts this run leaves every frame it wrote in the WAL (over 400 MiB on the
    // development machine); with them, the restart size and what was written in a few of the worker's intervals.
    assert.ok(largest >= restartFrames * PAGE, `the WAL reached ${largest} bytes`);
    assert.ok(largest <= 32 * restartFrames * PAGE, `the WAL grew to ${(largest / 2 ** 20).toFixed(1)} MiB with a restart size of ${(restartFrames * PAGE) / 2 ** 20} MiB`);
    store.close();
    // Closing leaves nothing for the next start to read back: the WAL is copied into the file and emptied even
    // though the checkpoint worker's connection was still open when this one closed.
    const left = existsSync(`${path}-wal`) ? statSync(`${path}-wal`).size : 0;
    assert.equal(left, 0, `a closed store left a WAL of ${left} bytes`);
    const again = new SqliteStore(path);
    try {
      assert.equal(again.read((repo) => repo.eventsFor(ws).length), written);
    } finally {
      again.close();
    }
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test("a command-line tool's store closing beside a running server leaves the server's WAL alone", async () => {
  const dir = mkdtempSync(join(tmpdir(), 'sb-wal-cli-'));
  const path = join(dir, 'db.sqlite');
  const ws = 'WS' + 'c'.repeat(32);
  try {
    const server = new SqliteStore(path);
    server.transaction((repo) => {
      for (let i = 0; i < 50; i++) repo.appendEvent(event(ws, i));
    });
    await server.durable();
    const before = statSync(`${path}-wal`).size;
    assert.ok(before > 0);
    // A TRUNCATE checkpoint from the tool would wait for, then hold off, the server's writers.
    const tool = new SqliteStore(path, { routes: false });
    tool.close();
    assert.ok(statSync(`${path}-wal`).size >= before, 'the tool emptied the running server\'s WAL');
    server.transaction((repo) => repo.appendEvent(event(ws, 50)));
    await server.durable();
    server.close();
    assert.equal(existsSync(`${path}-wal`) ? statSync(`${path}-wal`).size : 0, 0);
    const again = new SqliteStore(path);
    try {
      assert.equal(again.read((repo) => repo.eventsFor(ws).length), 51);
    } finally {
      again.close();
    }
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
