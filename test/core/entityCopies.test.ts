import { it } from 'node:test';
import assert from 'node:assert/strict';
import type { Reservation, Task, Worker } from '../../src/core/entities.ts';
import { copyReservation, copyTask, copyWorker } from '../../src/core/entityCopies.ts';

// Every field with a value of its own, so a copy that drops or mixes up a field differs.
const task: Task = {
  sid: 'WT' + '1'.repeat(32), accountSid: 'AC' + '2'.repeat(32), workspaceSid: 'WS' + '3'.repeat(32), attributes: '{"a":1}',
  assignmentStatus: 'reserved', priority: 7, timeout: 3600, taskChannelSid: 'TC' + '4'.repeat(32), workflowSid: 'WW' + '5'.repeat(32),
  taskQueueSid: 'WQ' + '6'.repeat(32), taskQueueEnteredAt: 1_000_001, virtualStartTime: 1_000_002, reason: 'why', routingTarget: 'WK' + '7'.repeat(32),
  ignoreCapacity: true, filterIndex: 2, targetIndex: 1, expiresAt: 1_000_003, stepDeadline: 1_000_004, cleanupAt: 1_000_005, seq: 42,
  dateCreated: 1_000_006, dateUpdated: 1_000_007, version: 3, assignmentCount: 5,
};
const reservation: Reservation = {
  sid: 'WR' + '1'.repeat(32), accountSid: 'AC' + '2'.repeat(32), workspaceSid: 'WS' + '3'.repeat(32), taskSid: task.sid, workerSid: 'WK' + '7'.repeat(32),
  taskChannelSid: 'TC' + '4'.repeat(32), taskQueueSid: 'WQ' + '6'.repeat(32), reservationStatus: 'accepted', timeoutAt: 1_000_008, instruction: 'conference',
  instructionParams: { From: '+1555' }, dateCreated: 1_000_009, dateUpdated: 1_000_010, version: 2,
};
const worker: Worker = {
  sid: 'WK' + '7'.repeat(32), accountSid: 'AC' + '2'.repeat(32), workspaceSid: 'WS' + '3'.repeat(32), friendlyName: 'alice', activitySid: 'WA' + '8'.repeat(32),
  attributes: '{"skills":["en"]}', dateStatusChanged: 1_000_011, dateCreated: 1_000_012, dateUpdated: 1_000_013, version: 4,
};

it('copies carry every field of the entity, and changing a copy leaves the original alone', () => {
  for (const [original, copy] of [[task, copyTask(task)], [reservation, copyReservation(reservation)], [worker, copyWorker(worker)]] as const) {
    assert.notEqual(copy, original);
    assert.deepEqual(copy, original);
    assert.deepEqual(JSON.stringify(copy), JSON.stringify(original), 'the stored text is the same, key order included');
    (copy as { version: number }).version = 99;
    assert.notEqual(original.version, 99);
  }
});

it('a task stored before assignmentCount existed is copied with 0 (what its absence means)', () => {
  const { assignmentCount: _, ...older } = task;
  assert.equal(copyTask(older).assignmentCount, 0);
});
