// The SQLite store keeps the undo journals of its savepoints in memory: a commit group's transactions each run in
// a SAVEPOINT, and past 64 KiB SQLite spills that journal to a new file in the temp directory, created, written
// and unlinked on the event loop (a filesystem journal operation that waits behind the fsyncs). A large group
// must leave no such file open, also after a compaction (whose VACUUM makes its copy of the file on disk).
import assert from 'node:assert/strict';
import { mkdtempSync, readdirSync, readlinkSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { newSid } from '../../src/core/sid.ts';
import { SqliteStore } from '../../src/store/sqlite/sqliteStore.ts';

const AC = 'AC' + 'e'.repeat(32);
const openTempFiles = () =>
  readdirSync('/proc/self/fd').flatMap((fd) => {
    try {
      return [readlinkSync(`/proc/self/fd/${fd}`)];
    } catch {
      return [];
    }
  }).filter((target) => target.includes('etilqs_'));

test('a commit group larger than 64 KiB of changed pages opens no temp file', { skip: process.platform !== 'linux' && 'reads /proc/self/fd' }, async () => {
  const dir = mkdtempSync(join(tmpdir(), 'switchboard-tempfiles-'));
  const store = new SqliteStore(join(dir, 'test.db'));
  try {
    const ws = newSid('WS');
    const padding = 'x'.repeat(1500);
    const tasks = Array.from({ length: 400 }, () => newSid('WT'));
    store.transaction((repo) => {
      repo.insert('workspace', { sid: ws, accountSid: AC, friendlyName: 'temp files' } as never);
      for (const sid of tasks) repo.insert('task', { sid, accountSid: AC, workspaceSid: ws, assignmentStatus: 'completed', attributes: padding } as never);
    });
    await store.durable();
    // A compaction (VACUUM, whose copy of the file is made on disk) leaves the journals in memory afterwards.
    await store.compact(['task']);
    // One group (one event-loop turn): each transaction rewrites tasks spread over the table's pages.
    for (let t = 0; t < 50; t++) {
      store.transaction((repo) => {
        for (let k = t; k < tasks.length; k += 25) repo.update('task', { sid: tasks[k]!, accountSid: AC, workspaceSid: ws, assignmentStatus: 'canceled', attributes: padding + t } as never);
      });
    }
    assert.deepEqual(openTempFiles(), [], 'no spilled savepoint journal');
    await store.durable();
  } finally {
    store.close();
    rmSync(dir, { recursive: true, force: true });
  }
});
