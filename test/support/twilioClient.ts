// Helpers for the real-client suites: the official twilio client pointed at a test server, the RestException
// it raises, and a paging check that walks a list the three ways an application does (list, each, page by page).
import assert from 'node:assert/strict';
import twilio from 'twilio';
import type { TestServer } from './server.ts';

export type TwilioClient = ReturnType<typeof twilio>;

/** A twilio client for the server's bootstrap account (or the given credentials), aimed at the server. */
export function clientFor(s: TestServer, username = s.accountSid, password = s.authToken, accountSid?: string): TwilioClient {
  const client = twilio(username, password, accountSid ? { accountSid } : {});
  client.taskrouter.baseUrl = s.origin;
  client.api.baseUrl = s.origin;
  return client;
}

/** The call fails with the client's RestException carrying this HTTP status and Twilio code. */
export async function expectRestError(promise: Promise<unknown>, status: number, code: number): Promise<void> {
  await assert.rejects(promise, (err: any) => {
    assert.equal(err?.constructor?.name, 'RestException', `not a RestException: ${err}`);
    assert.equal(err.status, status, `status ${err.status}: ${err.message}`);
    assert.equal(err.code, code, `code ${err.code}: ${err.message}`);
    assert.equal(err.moreInfo, `https://www.twilio.com/docs/errors/${code}`);
    assert.equal(typeof err.message, 'string');
    assert.ok(err.message.length > 0);
    return true;
  });
}

/** Anything with the generated list/each/page methods of a twilio ListInstance. */
export interface Listable {
  list(opts?: object): Promise<any[]>;
  each(opts: object, callback?: (item: any) => void): unknown;
  page(opts?: object): Promise<any>;
}

/** Every item `each()` yields, in order; resolves when the client calls `done`. */
export function eachAll(listable: Listable, opts: object): Promise<any[]> {
  const items: any[] = [];
  return new Promise((resolve, reject) => {
    listable.each({ ...opts, done: (err?: Error) => (err ? reject(err) : resolve(items)) }, (item: any) => {
      items.push(item);
    });
  });
}

function chunks<T>(items: T[], size: number): T[][] {
  const out: T[][] = [];
  for (let i = 0; i < items.length; i += size) out.push(items.slice(i, i + size));
  return out;
}

/**
 * With PageSize=2, `list()` returns exactly `expected` (by sid, in order), `each()` yields the same, and walking
 * `page()`/`nextPage()` sees full pages of two and then the rest, with no empty trailing page; `previousPage()`
 * from the second page returns the first. `opts` are filters that must survive into the next-page URLs.
 */
export async function assertPagesThrough(listable: Listable, opts: object, expected: string[], key: (item: any) => string = (x) => x.sid): Promise<void> {
  assert.ok(expected.length > 2, 'a paging check needs more than one page');
  assert.deepEqual((await listable.list({ ...opts, pageSize: 2 })).map(key), expected, 'list({pageSize: 2})');
  assert.deepEqual((await eachAll(listable, { ...opts, pageSize: 2 })).map(key), expected, 'each({pageSize: 2})');
  assert.deepEqual((await listable.list({ ...opts, pageSize: 2, limit: 3 })).map(key), expected.slice(0, 3), 'list({limit: 3})');
  const pages: string[][] = [];
  const first = await listable.page({ ...opts, pageSize: 2 });
  let page = first;
  while (page) {
    pages.push(page.instances.map(key));
    if (pages.length > expected.length) assert.fail('paging does not end');
    page = await page.nextPage();
  }
  assert.deepEqual(pages, chunks(expected, 2), 'page by page');
  const second = await first.nextPage();
  const back = await second.previousPage();
  assert.ok(back, 'the second page links back to the first');
  assert.deepEqual(back.instances.map(key), expected.slice(0, 2), 'previousPage()');
}
