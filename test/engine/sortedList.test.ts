import { it } from 'node:test';
import assert from 'node:assert/strict';
import { SortedList } from '../../src/engine/routing/sortedList.ts';

it('stays sorted and complete under random inserts and removals at both ends and in the middle', () => {
  let seed = 42;
  const rand = () => ((seed = (seed * 1103515245 + 12345) % 2 ** 31) / 2 ** 31);
  const list = new SortedList<{ k: number; id: number }>((a, b) => a.k - b.k || a.id - b.id);
  const model: { k: number; id: number }[] = [];
  for (let step = 0; step < 20_000; step++) {
    if (model.length === 0 || rand() < 0.55) {
      const item = { k: Math.floor(rand() * 100), id: step };
      list.insert(item);
      model.push(item);
    } else {
      // Favour the head, as a FIFO queue does, but remove anywhere.
      model.sort((a, b) => a.k - b.k || a.id - b.id);
      const index = rand() < 0.7 ? 0 : Math.floor(rand() * model.length);
      const [item] = model.splice(index, 1);
      assert.equal(list.remove(item!), true);
    }
    if (step % 997 === 0) {
      model.sort((a, b) => a.k - b.k || a.id - b.id);
      assert.deepEqual([...list], model);
      assert.equal(list.size, model.length);
      assert.equal(list.first(), model[0]);
    }
  }
  assert.equal(list.remove({ k: -1, id: -1 }), false);
});

it('appends in order at the tail, also after draining to empty with free space at the front', () => {
  const list = new SortedList<number>((a, b) => a - b);
  for (let round = 0; round < 3; round++) {
    for (let i = 0; i < 2_000; i++) list.insert(round * 10_000 + i);
    // A task that sorts before the tail still goes to its place (the fast path is only for the tail).
    list.insert(round * 10_000 + 500.5);
    for (let i = 0; i < 1_000; i++) assert.equal(list.remove(round * 10_000 + i), true);
    assert.equal(list.first(), round * 10_000 + 500.5);
    assert.equal(list.size, 1_001);
    for (const v of [...list]) list.remove(v);
    assert.equal(list.size, 0);
    assert.equal(list.first(), undefined);
  }
  list.insert(2);
  list.insert(1);
  list.insert(3);
  assert.deepEqual([...list], [1, 2, 3]);
});

it('a list made from unsorted items is sorted, and stays so under inserts and removals', () => {
  const order = (a: number, b: number) => a - b;
  const list = SortedList.of(order, [5, 1, 9, 3, 7]);
  assert.deepEqual([...list], [1, 3, 5, 7, 9]);
  list.insert(4);
  list.insert(10);
  assert.equal(list.remove(1), true);
  assert.equal(list.remove(8), false);
  assert.deepEqual([...list], [3, 4, 5, 7, 9, 10]);
  assert.equal(list.first(), 3);
  assert.equal(list.size, 6);
});
