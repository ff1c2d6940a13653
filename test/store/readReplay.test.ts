// The read replay (store/readReplay.ts) without a database: which replay a read belongs to. A work's reads
// before its first await belong to its replay; reads after an await only with `acrossAwaits`, and one that
// misses without it fails the work instead of replaying it (it may have written in between). Answers never
// leak from one replay to another, however their awaits interleave.
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { firstAttempt, ReadMiss, replay, replayedRead, replayWrote } from '../../src/store/readReplay.ts';

/** A read of `key` whose fetch answers `answer` and counts its calls. */
function source(answer: string) {
  const fetched: string[] = [];
  const read = (key: string) => replayedRead(key, async () => (fetched.push(key), `${answer}:${key}`));
  return { fetched, read };
}
const settled = async () => undefined;
const tick = () => new Promise((resolve) => setImmediate(resolve));

describe('the read replay', () => {
  it('replays a synchronous work once per read it missed', async () => {
    const { fetched, read } = source('db');
    let attempts = 0;
    const value = await replay(() => (attempts++, [read('a'), read('b')]), settled);
    assert.deepEqual(value, ['db:a', 'db:b']);
    assert.equal(attempts, 3);
    assert.deepEqual(fetched, ['a', 'b']);
  });

  it('counts an async work\'s reads before its first await as its own', async () => {
    const { read } = source('db');
    let attempts = 0;
    const value = await replay(async () => {
      attempts++;
      const a = read('a');
      await tick();
      return a;
    }, settled);
    assert.equal(value, 'db:a');
    assert.equal(attempts, 2);
  });

  it('fails a work whose read after an await misses, without fetching or running it again', async () => {
    const { fetched, read } = source('db');
    let attempts = 0;
    let writes = 0;
    await assert.rejects(
      replay(async () => {
        attempts++;
        await tick();
        writes++;
        return read('late');
      }, settled),
      (err: Error) => !(err instanceof ReadMiss) && /after an await/.test(err.message),
    );
    assert.equal(attempts, 1);
    assert.equal(writes, 1, 'what ran after the await ran once');
    assert.deepEqual(fetched, []);
  });

  it('carries the replay through awaits when asked', async () => {
    const { fetched, read } = source('db');
    let attempts = 0;
    const value = await replay(async () => {
      attempts++;
      await tick();
      return read('late');
    }, settled, { acrossAwaits: true });
    assert.equal(value, 'db:late');
    assert.equal(attempts, 2);
    assert.deepEqual(fetched, ['late']);
    // Once it is over, a read after an await belongs to no replay again.
    await assert.rejects(replay(async () => (await tick(), read('later')), settled), /after an await/);
  });

  it('keeps each replay\'s answers its own while their awaits interleave', async () => {
    const one = source('one');
    const two = source('two');
    const work = (s: ReturnType<typeof source>) => async () => {
      const first = s.read('shared');
      await tick();
      await tick();
      return first;
    };
    const carried = (s: ReturnType<typeof source>) => async () => {
      await tick();
      const late = s.read('carried');
      await tick();
      return late;
    };
    const values = await Promise.all([
      replay(work(one), settled),
      replay(work(two), settled),
      replay(carried(one), settled, { acrossAwaits: true }),
      replay(carried(two), settled, { acrossAwaits: true }),
    ]);
    assert.deepEqual(values, ['one:shared', 'two:shared', 'one:carried', 'two:carried']);
    assert.deepEqual(one.fetched.sort(), ['carried', 'shared']);
    assert.deepEqual(two.fetched.sort(), ['carried', 'shared']);
  });

  it('a nested replay is its own, and the outer one goes on with its answers', async () => {
    const { read } = source('db');
    const value = await replay(async () => {
      const outer = read('outer');
      const inner = await replay(() => read('inner'), settled);
      return [outer, inner];
    }, settled);
    assert.deepEqual(value, ['db:outer', 'db:inner']);
  });

  it('a replay without acrossAwaits inside one with it: a read after the inner work\'s await is the outer one\'s', async () => {
    const { fetched, read } = source('db');
    let outerAttempts = 0;
    let innerAttempts = 0;
    const value = await replay(async () => {
      outerAttempts++;
      await tick();
      return replay(async () => {
        innerAttempts++;
        await tick();
        return read('late');
      }, settled);
    }, settled, { acrossAwaits: true });
    assert.equal(value, 'db:late');
    assert.deepEqual(fetched, ['late']);
    assert.equal(outerAttempts, 2, 'the outer replay fetched it and ran again');
    assert.equal(innerAttempts, 2);
  });

  it('does not replay a work that missed after it wrote', async () => {
    const { read } = source('db');
    let attempts = 0;
    await assert.rejects(
      replay(() => {
        attempts++;
        replayWrote();
        return read('after');
      }, settled),
      /missed after this work wrote/,
    );
    assert.equal(attempts, 1);
  });

  it('a first attempt passes a replayable miss on, and turns a miss after an await into the error it is', async () => {
    const { read } = source('db');
    assert.throws(() => firstAttempt(() => read('a')), ReadMiss);
    await assert.rejects(firstAttempt(async () => read('a')), ReadMiss);
    await assert.rejects(firstAttempt(async () => (await tick(), read('a'))), /after an await/);
    assert.equal(firstAttempt(() => 'no reads'), 'no reads');
  });
});
