// What a node needs of other nodes' events (core/logInterest.ts): the parts' interests merged, and whether a
// commit's NOTIFY (its streams, types and accounts) may hold something needed, so the node reads the log.
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { mayInterest, mergeInterests } from '../../src/core/logInterest.ts';

const commit = (streams: string[], types: string[], accounts = ['AC1']) => ({ streams, types, accounts });

describe('log interest', () => {
  const interest = mergeInterests([
    { streams: new Set(['WS1']) },
    { streamPrefixes: ['workflow:'], typed: { streams: new Set(['WS2']), types: new Set(['task.completed']) } },
    { streamPrefixes: ['workflow:'], accounts: new Set(['AC9']) },
    { types: new Set(['opsflow.created']), typed: { streams: new Set(['WS3']), types: new Set(['reservation.accepted']) } },
  ]);

  it('merges the parts', () => {
    assert.deepEqual([...interest.streams], ['WS1']);
    assert.deepEqual(interest.streamPrefixes, ['workflow:']);
    assert.deepEqual([...interest.accounts], ['AC9']);
    assert.deepEqual([...interest.types], ['opsflow.created']);
    assert.deepEqual([...interest.typed.streams].sort(), ['WS2', 'WS3']);
    assert.deepEqual([...interest.typed.types].sort(), ['reservation.accepted', 'task.completed']);
    const none = mergeInterests([{}, {}]);
    assert.equal(mayInterest(none, commit(['WS1'], ['task.created'])), false);
  });

  it('reads a commit that may hold a needed event, and only then', () => {
    assert.equal(mayInterest(interest, commit(['WS1'], ['task.created'])), true, 'a followed stream');
    assert.equal(mayInterest(interest, commit(['WS2'], ['task.created', 'task.completed'])), true, 'a followed type in its stream');
    assert.equal(mayInterest(interest, commit(['WS2'], ['task.created'])), false, 'another type in a typed stream');
    assert.equal(mayInterest(interest, commit(['WS4'], ['task.completed'])), false, 'a typed type in another stream');
    assert.equal(mayInterest(interest, commit(['workflow:AC1'], ['workflow.task.created'])), true, 'a prefix');
    assert.equal(mayInterest(interest, commit(['WS4'], ['task.created'], ['AC9'])), true, 'an account');
    assert.equal(mayInterest(interest, commit(['opsflow:AC1'], ['opsflow.created'])), true, 'a type in any stream');
    assert.equal(mayInterest(interest, commit(['opsflow:AC1'], ['opsflow.changed'])), false, 'another type there');
  });
});
