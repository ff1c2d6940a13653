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
