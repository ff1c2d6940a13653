// The PostgreSQL store's remembered versions (the conditional writes' check) are bounded by recency: past the
// capacity the entries used longest ago go, and the ones in use keep their check.
import { it } from 'node:test';
import assert from 'node:assert/strict';
import { RememberedVersions } from '../../src/store/postgres/rememberedVersions.ts';

it('past the capacity the oldest tenth goes, and a document used again is kept as the newest', () => {
  const versions = new RememberedVersions(100);
  for (let i = 0; i < 100; i++) versions.set(`tasks:${i}`, i);
  versions.set('tasks:0', 7); // written again: now the newest
  assert.equal(versions.size, 100);
  versions.set('tasks:100', 100);
  assert.equal(versions.size, 91, 'ten evicted in one sweep');
  assert.equal(versions.get('tasks:0'), 7, 'the document used again keeps its version');
  for (let i = 1; i <= 10; i++) assert.equal(versions.get(`tasks:${i}`), undefined, `tasks:${i} was among the oldest`);
  for (let i = 11; i <= 100; i++) assert.equal(versions.get(`tasks:${i}`), i);
});

it('a long stream of finished documents never grows it past the capacity, and a live one read each round stays', () => {
  const versions = new RememberedVersions(1000);
  let largest = 0;
  for (let i = 0; i < 200_000; i++) {
    versions.set(`reservations:${i}`, 0);
    if (i % 50 === 0) versions.set('workers:live', i);
    largest = Math.max(largest, versions.size);
  }
  assert.ok(largest <= 1000, `${largest} entries at most`);
  assert.equal(versions.get('workers:live'), 199_950);
  assert.equal(versions.get('reservations:0'), undefined);
  assert.equal(versions.get('reservations:199999'), 0);
});

it('delete forgets an entry (a deleted row has no version to check)', () => {
  const versions = new RememberedVersions(10);
  versions.set('tasks:a', 3);
  versions.delete('tasks:a');
  assert.equal(versions.get('tasks:a'), undefined);
  assert.equal(versions.size, 0);
});

it('a version read from the database never takes a newer one back (a read answered while a write was on its way)', () => {
  const versions = new RememberedVersions(10);
  versions.set('tasks:a', 3); // this node wrote version 3
  versions.saw('tasks:a', 2); // a list read that ran before that write committed
  assert.equal(versions.get('tasks:a'), 3);
  versions.saw('tasks:a', 5); // another node's newer write, read
  assert.equal(versions.get('tasks:a'), 5);
  versions.saw('tasks:b', 1); // unknown: remembered
  assert.equal(versions.get('tasks:b'), 1);
  versions.set('tasks:a', 4); // a failed group puts back what it replaced, even if lower
  assert.equal(versions.get('tasks:a'), 4);
});
