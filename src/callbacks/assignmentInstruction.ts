// The JSON an assignment callback may answer with (reference §11), turned into the reservation update the
// REST API would make: accept, reject (activity_sid), and the voice instructions dequeue, call, redirect and
// conference with their snake_case options mapped to the REST parameters. Anything else is no instruction:
// the reservation stays pending for the application to answer later.
import type { UpdateReservationInput } from '../engine/routing/reservations.ts';

const OPTION_PARAMS: Record<string, Record<string, string>> = {
  dequeue: {
    to: 'DequeueTo',
    from: 'DequeueFrom',
    post_work_activity_sid: 'DequeuePostWorkActivitySid',
    record: 'DequeueRecord',
    timeout: 'DequeueTimeout',
    status_callback_url: 'DequeueStatusCallbackUrl',
    status_callback_events: 'DequeueStatusCallbackEvent',
  },
  call: { from: 'CallFrom', url: 'CallUrl', to: 'CallTo', accept: 'CallAccept', record: 'CallRecord', timeout: 'CallTimeout', status_callback_url: 'CallStatusCallbackUrl' },
  redirect: { call_sid: 'RedirectCallSid', url: 'RedirectUrl', accept: 'RedirectAccept' },
  conference: { to: 'To', from: 'From', post_work_activity_sid: 'PostWorkActivitySid', timeout: 'Timeout', record: 'Record' },
};

/** Parses a callback response body; undefined when it carries no instruction. */
export function assignmentInstruction(body: string): UpdateReservationInput | undefined {
  let value: unknown;
  try {
    value = JSON.parse(body);
  } catch {
    return undefined;
  }
  if (!value || typeof value !== 'object' || Array.isArray(value)) return undefined;
  const v = value as Record<string, unknown>;
  const instruction = typeof v.instruction === 'string' ? v.instruction.toLowerCase() : undefined;
  if (instruction === 'accept') return { reservationStatus: 'accepted' };
  if (instruction === 'reject') return { reservationStatus: 'rejected', workerActivitySid: typeof v.activity_sid === 'string' ? v.activity_sid : undefined };
  const options = instruction ? OPTION_PARAMS[instruction] : undefined;
  if (!instruction || !options) return undefined;
  const params: Record<string, string> = {};
  for (const [key, param] of Object.entries(options)) {
    if (v[key] !== undefined && v[key] !== null) params[param] = String(v[key]);
  }
  return { instruction, instructionParams: params };
}
