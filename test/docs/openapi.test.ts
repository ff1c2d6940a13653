// The API documents: every route the server registers is an operation of exactly one of the three documents
// (pages and scripts aside), with the responses it sends; the TaskRouter document has every operation of
// Twilio's TaskRouter OpenAPI document (from the @twilio-alpha/mcp package), accepts every parameter Twilio's
// does, and its responses carry exactly Twilio's fields with Twilio's types; /docs serves the reference page.
import { after, before, it } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { existsSync } from 'node:fs';
import Fastify from 'fastify';
import { chromium } from 'playwright-core';
import { z } from 'zod';
import { startServer, type TestServer } from '../support/server.ts';
import { NOT_API_PREFIXES, faceOf, twilioPath } from '../../src/api/docs/openapi.ts';
import { installRouteSchemas, jsonRoute } from '../../src/api/common/routeSchema.ts';

const require = createRequire(import.meta.url);
const TWILIO = JSON.parse(readFileSync(require.resolve('@twilio-alpha/mcp/package.json').replace('package.json', 'twilio-oai/spec/json/twilio_taskrouter_v1.json'), 'utf8'));

let s: TestServer;
const docs: Record<string, any> = {};
before(async () => {
  s = await startServer();
  for (const face of ['taskrouter', 'workflow', 'opsflow']) {
    const res = await fetch(`${s.origin}/openapi/${face}.json`);
    assert.equal(res.status, 200);
    assert.match(res.headers.get('content-type') ?? '', /^application\/json/);
    docs[face] = await res.json();
  }
});
after(() => s?.close());

/** A route's path as the documents write it: {Name} parameters (Twilio's names on the Twilio faces). */
function documentedPath(url: string): string {
  const path = url.startsWith('/v1/') || url.startsWith('/2010-04-01/') ? twilioPath(url) : url;
  return path.replace(/:([A-Za-z]+)/g, '{$1}');
}

const resolve = (spec: any, schema: any) => (schema?.$ref ? spec.components.schemas[schema.$ref.split('/').pop()] : schema);
const typesOf = (schema: any): string[] => (schema.anyOf ? schema.anyOf.flatMap(typesOf) : [schema.type].flat().filter(Boolean)).filter((t: string) => t !== 'null');

it('serves three OpenAPI 3.1 documents, one per face, and the reference page at /docs', async () => {
  for (const [face, doc] of Object.entries(docs)) {
    assert.equal(doc.openapi, '3.1.0', face);
    assert.ok(Object.keys(doc.paths).length > 0, face);
    for (const path of Object.keys(doc.paths)) assert.equal(faceOf(path.replace(/\{[^}]+\}/g, 'x')), face, `${path} is in the ${face} document`);
  }
  const page = await fetch(`${s.origin}/docs/`);
  assert.equal(page.status, 200);
  assert.match(await page.text(), /swagger-ui/i);
  const initializer = await (await fetch(`${s.origin}/docs/static/swagger-initializer.js`)).text();
  for (const face of ['taskrouter', 'workflow', 'opsflow']) assert.ok(initializer.includes(`../openapi/${face}.json`), `the page offers the ${face} document`);
});

const CHROMIUM = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';
const noChromium = !existsSync(CHROMIUM) && !process.env.CI ? `no Chromium at ${CHROMIUM} (apt-get install chromium)` : false;

it('the reference page renders every document in Chromium', { skip: noChromium, timeout: 120_000 }, async () => {
  const browser = await chromium.launch({ executablePath: CHROMIUM, args: ['--no-sandbox', '--disable-background-networking', '--disable-component-update', '--disable-sync'] });
  try {
    const page = await browser.newPage();
    const failed: string[] = [];
    page.on('response', (r) => r.status() >= 400 && failed.push(`${r.status()} ${r.url()}`));
    await page.goto(`${s.origin}/docs/`);
    for (const face of ['taskrouter', 'workflow', 'opsflow']) {
      // The definition picker, then every operation of that document.
      await page.locator('select').first().selectOption({ label: docs[face].info.title });
      const operations = Object.values<any>(docs[face].paths).reduce((n, ops) => n + Object.keys(ops).length, 0);
      await page.waitForFunction((n) => document.querySelectorAll('.opblock').length === n, operations, { timeout: 60_000 });
      assert.equal(await page.locator('.information-container .title').first().innerText().then((t) => t.startsWith(docs[face].info.title)), true, face);
    }
    assert.deepEqual(failed, [], 'every request of the page succeeded');
  } finally {
    await browser.close();
  }
});

it('every route the server registers is an operation of one document, with its success response described', () => {
  const routes = s.app.registeredRoutes.filter((r) => r.method !== 'HEAD' && !NOT_API_PREFIXES.some((p) => r.url.startsWith(p)));
  assert.ok(routes.length > 100, `${routes.length} API routes`);
  const missing: string[] = [];
  for (const { method, url } of routes) {
    const face = faceOf(url);
    const op = face && docs[face].paths[documentedPath(url)]?.[method.toLowerCase()];
    if (!op) {
      missing.push(`${method} ${url}`);
      continue;
    }
    assert.ok(op.summary, `${method} ${url} has a summary`);
    const success = Object.entries<any>(op.responses).filter(([status]) => /^2/.test(status));
    assert.ok(success.length > 0, `${method} ${url} documents its success response`);
    for (const [status, response] of success) {
      if (status !== '204') assert.ok(response.content, `${method} ${url} ${status} has a body schema`);
    }
    assert.ok(Object.keys(op.responses).some((status) => /^[45]/.test(status)), `${method} ${url} documents its error body`);
  }
  assert.deepEqual(missing, [], 'routes missing from the documents');
  // And nothing documented that the server does not serve.
  const served = new Set(routes.map((r) => `${r.method.toLowerCase()} ${documentedPath(r.url)}`));
  for (const doc of Object.values(docs)) {
    for (const [path, ops] of Object.entries<any>(doc.paths)) for (const method of Object.keys(ops)) assert.ok(served.has(`${method} ${path}`), `${method} ${path} is served`);
  }
});

it("the TaskRouter document has Twilio's operations, accepts Twilio's parameters, and answers with Twilio's fields", () => {
  const ours = docs.taskrouter;
  let compared = 0;
  for (const [path, operations] of Object.entries<any>(TWILIO.paths)) {
    for (const [method, theirs] of Object.entries<any>(operations)) {
      if (!['get', 'post', 'delete'].includes(method)) continue;
      const where = `${method.toUpperCase()} ${path}`;
      const mine = ours.paths[path]?.[method];
      assert.ok(mine, `${where} is documented`);

      // Parameters: every query parameter and form field Twilio documents is one this route decodes.
      const form = (op: any, spec: any) => resolve(spec, op.requestBody?.content?.['application/x-www-form-urlencoded']?.schema)?.properties ?? {};
      const accepted = new Set([
        ...(mine.parameters ?? []).filter((p: any) => p.in === 'query').map((p: any) => p.name),
        ...Object.keys(form(mine, ours)),
        ...Object.keys(mine.requestBody?.content?.['application/json']?.schema?.properties ?? {}),
      ]);
      const expected = [...(theirs.parameters ?? []).filter((p: any) => p.in === 'query').map((p: any) => p.name), ...Object.keys(form(theirs, TWILIO))];
      assert.deepEqual(expected.filter((name) => !accepted.has(name)), [], `${where}: Twilio's parameters the route does not take`);

      // The success response: the same status, and the same fields with the same types.
      const [status, response] = Object.entries<any>(theirs.responses).find(([code]) => /^2/.test(code))!;
      assert.ok(mine.responses[status], `${where} answers ${status}`);
      const theirSchema = resolve(TWILIO, response.content?.['application/json']?.schema);
      const mySchema = mine.responses[status].content?.['application/json']?.schema;
      if (!theirSchema) {
        assert.equal(mySchema, undefined, `${where}: no body`);
        continue;
      }
      compareFields(theirSchema, mySchema, where);
      compared++;
    }
  }
  assert.ok(compared >= 50, `${compared} responses compared`);
});

/** Same property names; where Twilio gives a type, one of ours; list envelopes item by item. */
function compareFields(theirs: any, mine: any, where: string): void {
  const theirProps = theirs.properties ?? {};
  const myProps = mine.properties ?? {};
  assert.deepEqual(Object.keys(myProps).sort(), Object.keys(theirProps).sort(), `${where}: response fields`);
  for (const [name, t] of Object.entries<any>(theirProps)) {
    const their = resolve(TWILIO, t);
    const my = myProps[name];
    if (their.type === 'array' && their.items && resolve(TWILIO, their.items).properties) {
      compareFields(resolve(TWILIO, their.items), my.items, `${where} ${name}[]`);
    } else if (name === 'meta' && their.properties) {
      compareFields(their, my, `${where} meta`);
    } else if (their.type && their.format !== 'uri-map') {
      assert.ok(typesOf(my).includes(their.type), `${where}: ${name} is ${their.type} (ours: ${typesOf(my).join('|')})`);
    }
  }
}

it('a response that does not match its documented schema is refused when responses are checked (tests), sent as it is otherwise', async () => {
  for (const check of [true, false]) {
    const app = Fastify();
    installRouteSchemas(app, check);
    app.get('/thing', jsonRoute('Test', { summary: 'a thing', responses: { 200: z.object({ id: z.string() }) } }), async () => ({ id: 'a', extra: 1 }));
    app.get('/typed', jsonRoute('Test', { summary: 'a thing', responses: { 200: z.object({ id: z.string() }) } }), async () => ({ id: 5 }));
    app.get('/fine', jsonRoute('Test', { summary: 'a thing', responses: { 200: z.object({ id: z.string() }) } }), async () => ({ id: 'a' }));
    const originalWrite = process.stderr.write;
    process.stderr.write = (() => true) as typeof process.stderr.write; // the check's own report
    try {
      assert.equal((await app.inject({ url: '/thing' })).statusCode, check ? 500 : 200, 'an undocumented field');
      assert.equal((await app.inject({ url: '/typed' })).statusCode, check ? 500 : 200, 'a field of another type');
    } finally {
      process.stderr.write = originalWrite;
    }
    const fine = await app.inject({ url: '/fine' });
    assert.equal(fine.statusCode, 200);
    assert.deepEqual(fine.json(), { id: 'a' });
    await app.close();
  }
});
