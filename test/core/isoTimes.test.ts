import { it } from 'node:test';
import assert from 'node:assert/strict';
import { isoMillis, isoSeconds } from '../../src/core/isoTimes.ts';

it('remembered ISO texts are what Date gives, for new instants, repeated ones and after the memory is emptied', () => {
  const instants = [0, 1, 999, 1000, -1, -1500, 1_796_500_787_104, 1_796_500_787_999, 253_402_300_799_999];
  for (let i = 0; i < 2_000; i++) instants.push(1_796_500_000_000 + i * 997);
  for (const round of [1, 2]) {
    for (const ms of instants) {
      assert.equal(isoMillis(ms), new Date(ms).toISOString(), `isoMillis(${ms}), round ${round}`);
      assert.equal(isoSeconds(ms), new Date(Math.floor(ms / 1000) * 1000).toISOString().replace('.000Z', 'Z'), `isoSeconds(${ms}), round ${round}`);
    }
  }
  assert.equal(isoSeconds(1_796_500_787_104), '2026-12-05T19:59:47Z');
  assert.throws(() => isoMillis(Number.NaN), RangeError);
});
