// SIDs are Twilio's identifiers: a two-letter prefix naming the resource kind and 32 lowercase hex digits.
// Clients (and the OpenAPI document) check the pattern `^XX[0-9a-fA-F]{32}$`, so every SID we mint has it.
import { randomBytes } from 'node:crypto';

export const SID_PREFIX = {
  account: 'AC',
  apiKey: 'SK',
  workspace: 'WS',
  activity: 'WA',
  taskChannel: 'TC',
  worker: 'WK',
  workerChannel: 'WC',
  taskQueue: 'WQ',
  workflow: 'WW',
  task: 'WT',
  reservation: 'WR',
  event: 'EV',
} as const;

export type SidPrefix = (typeof SID_PREFIX)[keyof typeof SID_PREFIX];

export function newSid(prefix: SidPrefix): string {
  return prefix + randomBytes(16).toString('hex');
}

const SID_BODY = /^[0-9a-fA-F]{32}$/;

/** True when `value` is a well-formed SID with the given prefix. */
export function isSid(value: unknown, prefix: SidPrefix): value is string {
  return typeof value === 'string' && value.length === 34 && value.startsWith(prefix) && SID_BODY.test(value.slice(2));
}

/** A random secret (auth tokens, API key secrets): 32 hex characters, as Twilio issues them. */
export function newSecret(): string {
  return randomBytes(16).toString('hex');
}
