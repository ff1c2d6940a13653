// SWITCHBOARD_HEAP_GROWTH_PERCENT / --heap-growth-percent (src/main.ts passes it to V8 as
// --heap-growing-percent once the routers are built): parsed as documented.
import { it } from 'node:test';
import assert from 'node:assert/strict';
import { loadConfig } from '../../src/config.ts';

it('the heap may grow 50% past what a full collection kept unless the setting says otherwise (0: V8 decides)', () => {
  assert.equal(loadConfig([], {}).heapGrowthPercent, 50);
  assert.equal(loadConfig([], { SWITCHBOARD_HEAP_GROWTH_PERCENT: '100' }).heapGrowthPercent, 100);
  assert.equal(loadConfig(['--heap-growth-percent', '25'], { SWITCHBOARD_HEAP_GROWTH_PERCENT: '100' }).heapGrowthPercent, 25);
  assert.equal(loadConfig([], { SWITCHBOARD_HEAP_GROWTH_PERCENT: '0' }).heapGrowthPercent, 0);
  for (const bad of ['-1', '1.5', 'lots', '', '5000']) assert.throws(() => loadConfig([], { SWITCHBOARD_HEAP_GROWTH_PERCENT: bad }), /invalid heap growth/);
});
