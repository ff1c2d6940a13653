// A forwarded request's receiver waits for the announcement of its answer, or the poll. No announcement may be
// lost: not one that comes before the first wait, nor one that comes while the receiver, woken by the poll,
// looks for the answer (that one used to wake the spent waiter, and the receiver slept until the next poll).
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { AnswerAnnouncements } from '../../src/cluster/answerAnnouncements.ts';

const LONG = 60_000;

/** Whether `p` settles within a turn of the event loop. */
async function settlesNow(p: Promise<void>): Promise<boolean> {
  return Promise.race([p.then(() => true), new Promise<boolean>((resolve) => setImmediate(() => resolve(false)))]);
}

describe('answer announcements', () => {
  it('an announcement wakes its waiter, and only it', async () => {
    const answers = new AnswerAnnouncements();
    const one = answers.next(1, LONG);
    const two = answers.next(2, LONG);
    answers.announce(1);
    assert.equal(await settlesNow(one), true);
    assert.equal(await settlesNow(two), false);
    answers.forget(2);
    assert.equal(await settlesNow(two), true, 'forgetting a request ends its wait');
  });

  it('an announcement before the first wait is kept for it', async () => {
    const answers = new AnswerAnnouncements();
    answers.announce(7);
    assert.equal(await settlesNow(answers.next(7, LONG)), true);
    assert.equal(await settlesNow(answers.next(7, LONG)), false, 'used once');
    answers.forget(7);
  });

  it('an announcement while the receiver looks after a poll is kept for its next wait', async () => {
    const answers = new AnswerAnnouncements();
    const first = answers.next(3, LONG);
    answers.wakeAll();
    assert.equal(await settlesNow(first), true);
    // The receiver now looks for the answer; the answer's commit is announced before it waits again.
    answers.announce(3);
    assert.equal(await settlesNow(answers.next(3, LONG)), true, 'the announcement was not lost');
    answers.forget(3);
  });

  it('a wait ends after its time without an announcement', async () => {
    const answers = new AnswerAnnouncements();
    const started = Date.now();
    await answers.next(4, 30);
    assert.ok(Date.now() - started >= 25);
  });

  it('keeps only the newest announcements nobody waits for', async () => {
    const answers = new AnswerAnnouncements(2);
    for (const id of [10, 11, 12]) answers.announce(id);
    assert.equal(await settlesNow(answers.next(10, LONG)), false, 'the oldest was dropped');
    assert.equal(await settlesNow(answers.next(11, LONG)), true);
    assert.equal(await settlesNow(answers.next(12, LONG)), true);
    answers.forget(10);
  });
});
