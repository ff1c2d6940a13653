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

/** Random bytes are drawn from a pool refilled 4 KiB at a time (one system call per ~400 SIDs). */
let pool = Buffer.alloc(0);
let used = 0;
function randomHex(bytes: number): string {
  if (used + bytes > pool.length) {
    pool = randomBytes(4096);
    used = 0;
  }
  used += bytes;
  return pool.toString('hex', used - bytes, used);
}

/** 12 hex digits of the creation time (ms) then 80 random bits. Time-ordered SIDs land at the right edge of
 *  every index on them (SID columns, events by task), so a commit dirties a few index pages instead of one
 *  random page per index; 80 random bits keep them unguessable. */
export function newSid(prefix: SidPrefix, now: number = Date.now()): string {
  return prefix + Math.max(0, Math.floor(now)).toString(16).padStart(12, '0').slice(-12) + randomHex(10);
}

/** The creation time (ms) a SID minted by newSid carries. */
export function sidTime(sid: string): number {
  return parseInt(sid.slice(2, 14), 16);
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
