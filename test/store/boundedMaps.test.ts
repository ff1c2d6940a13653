// Maps that would grow with traffic are bounded: the SQLite store's prepared statements (statement texts are
// shapes, and clients compose them: list filters, IN-list lengths, Opsflow queries), and the SecretBox's cache
// of opened secrets, which must not fill up with forwarded requests' one-use credentials.
import { it } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { SqliteStore } from '../../src/store/sqlite/sqliteStore.ts';
import { newMasterKey, SecretBox } from '../../src/auth/secretBox.ts';
import { newSid } from '../../src/core/sid.ts';

it('the SQLite store keeps at most 2,000 prepared statements, however many query shapes it meets', () => {
  const dir = mkdtempSync(join(tmpdir(), 'sb-bounded-'));
  const store = new SqliteStore(join(dir, 'db.sqlite'));
  try {
    const ws = newSid('WS');
    const statements = (store as unknown as { statements: Map<string, unknown> }).statements;
    // 2,500 different texts: an Events filter on 1..2,500 workers.
    const workers = Array.from({ length: 2500 }, () => newSid('WK'));
    for (let n = 1; n <= workers.length; n++) {
      store.read((repo) => repo.eventsMatching({ workspaceSid: ws, fromMs: 0, toMs: 1, data: { worker_sid: workers.slice(0, n) } }));
    }
    assert.ok(statements.size <= 2000, `${statements.size} statements kept`);
    // The store still works, with the statements it dropped prepared again.
    assert.deepEqual(store.read((repo) => repo.eventsMatching({ workspaceSid: ws, fromMs: 0, toMs: 1, data: { worker_sid: workers.slice(0, 1) } })), []);
  } finally {
    store.close();
    rmSync(dir, { recursive: true, force: true });
  }
});

it('forwarded credentials (sealed afresh for each request) are opened without being remembered', () => {
  const box = new SecretBox([newMasterKey()]);
  const opened = (box as unknown as { opened: Map<string, string> }).opened;
  for (let i = 0; i < 1000; i++) assert.equal(box.open(box.seal(`Basic ${i}`, 'forwarded request:authorization'), 'forwarded request:authorization'), `Basic ${i}`);
  assert.equal(opened.size, 0);
  const token = box.sealAuthToken('AC1', 'token');
  box.authTokenOf({ sid: 'AC1', authTokenSealed: token });
  assert.equal(opened.size, 1, 'an account secret is still remembered');
});
