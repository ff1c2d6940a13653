// The README stays true: every JavaScript snippet in it (```js blocks, and the scripts of ```html blocks) is
// extracted and run against a live server, with the README's address replaced by the server's and its
// placeholders (ACCOUNT_SID, AUTH_TOKEN, token, workerToken) bound to real values; then what the snippet says
// it does is checked on the server. A snippet this test does not know is still run, and must not throw.
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import twilio from 'twilio';
import { startServer, type TestServer } from '../support/server.ts';
import { launchChromium, skipWithoutChromium, startPageServer } from '../support/browser.ts';
import { disconnectSdkWorker } from '../support/taskrouterSdk.ts';

const README = new URL('../../README.md', import.meta.url);
const README_ORIGIN = 'http://127.0.0.1:4010';

interface Snippet {
  lang: string;
  code: string;
  line: number;
}

function snippets(): Snippet[] {
  const text = readFileSync(README, 'utf8');
  const out: Snippet[] = [];
  for (const m of text.matchAll(/^```(\w+)\n([\s\S]*?)^```$/gm)) {
    out.push({ lang: m[1]!, code: m[2]!, line: text.slice(0, m.index).split('\n').length });
  }
  return out;
}

const JS = new Set(['js', 'javascript', 'mjs', 'cjs']);
const AsyncFunction = Object.getPrototypeOf(async () => undefined).constructor as new (...args: string[]) => (...args: unknown[]) => Promise<Record<string, unknown>>;

/** Runs a snippet as the body of an async function (as in Node's REPL), returning its top-level variables. */
async function runInNode(code: string, origin: string, bindings: Record<string, unknown>, log: string[]): Promise<Record<string, unknown>> {
  const body = code.replaceAll(README_ORIGIN, origin).replaceAll(README_ORIGIN.replace('http', 'ws'), origin.replace('http', 'ws'));
  const names = [...body.matchAll(/^(?:const|let|var)\s+([A-Za-z_$][\w$]*)\s*=/gm)].map((m) => m[1]!);
  const requireHere = createRequire(README);
  const consoleHere = { ...console, log: (...args: unknown[]) => log.push(args.map(String).join(' ')) };
  const run = new AsyncFunction('require', 'console', ...Object.keys(bindings), `${body}\nreturn { ${names.join(', ')} };`);
  return run(requireHere, consoleHere, ...Object.values(bindings));
}

async function until<T>(what: string, probe: () => Promise<T | undefined>, ms = 10_000): Promise<T> {
  const end = Date.now() + ms;
  for (;;) {
    const value = await probe();
    if (value !== undefined) return value;
    if (Date.now() > end) throw new Error(`${what} did not happen within ${ms} ms`);
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}

describe('README snippets', () => {
  let s: TestServer;
  let client: ReturnType<typeof twilio>;
  let key: { sid: string; secret: string };
  const all = snippets();

  before(async () => {
    s = await startServer();
    client = twilio(s.accountSid, s.authToken);
    client.taskrouter.baseUrl = s.origin;
    client.api.baseUrl = s.origin;
    const k = await client.newKeys.create({ friendlyName: 'readme' });
    key = { sid: k.sid, secret: k.secret };
  });
  after(() => s.close());

  /** A workspace with an available worker, and that worker's Access Token. */
  const availableWorker = async (name: string) => {
    const ws = (await client.taskrouter.v1.workspaces.create({ friendlyName: name, template: 'FIFO' })).sid;
    const available = (await client.taskrouter.v1.workspaces(ws).activities.list({ friendlyName: 'Available' }))[0]!.sid;
    const worker = (await client.taskrouter.v1.workspaces(ws).workers.create({ friendlyName: `${name} agent`, activitySid: available })).sid;
    const token = new twilio.jwt.AccessToken(s.accountSid, key.sid, key.secret, { identity: worker, ttl: 3600 });
    token.addGrant(new twilio.jwt.AccessToken.TaskRouterGrant({ workspaceSid: ws, workerSid: worker, role: 'worker' }));
    return { ws, worker, token: token.toJwt() };
  };
  /** A task for that workspace, and the moment a worker has accepted it. */
  const acceptedTask = async (ws: string) => {
    const task = await client.taskrouter.v1.workspaces(ws).tasks.create({ attributes: '{"from":"readme"}' });
    return until('the snippet accepting the reservation', async () => ((await client.taskrouter.v1.workspaces(ws).tasks(task.sid).fetch()).assignmentStatus === 'assigned' ? task.sid : undefined));
  };

  it('has the snippets this test knows how to check', () => {
    const kinds = all.filter((x) => JS.has(x.lang) || x.lang === 'html').map((x) => x.lang);
    assert.ok(kinds.filter((k) => JS.has(k)).length >= 2 && kinds.includes('html'), `README code blocks: ${kinds.join(', ')}`);
    for (const x of all) assert.ok(!['ts', 'typescript', 'jsx', 'tsx'].includes(x.lang), `README line ${x.line}: a ${x.lang} block this test cannot run`);
  });

  for (const snippet of all.filter((x) => JS.has(x.lang))) {
    it(`runs the JavaScript snippet at README line ${snippet.line}`, async () => {
      const log: string[] = [];
      const { ws, worker, token } = await availableWorker(`Snippet ${snippet.line}`);
      const vars = await runInNode(snippet.code, s.origin, { ACCOUNT_SID: s.accountSid, AUTH_TOKEN: s.authToken, token }, log);
      try {
        if (snippet.code.includes("workspaces.create({ friendlyName: 'Support'")) {
          // The quick start: a FIFO workspace named Support, alice with her skills, and the workers listed.
          const support = (await client.taskrouter.v1.workspaces.list({ friendlyName: 'Support' }))[0];
          assert.ok(support, 'the Support workspace exists');
          const workers = await client.taskrouter.v1.workspaces(support.sid).workers.list();
          assert.deepEqual(workers.map((w) => [w.friendlyName, JSON.parse(w.attributes)]), [['alice', { skills: ['en'] }]]);
          assert.deepEqual(log, ['alice']);
        }
        if (snippet.code.includes("require('twilio-taskrouter')")) {
          // The Worker SDK accepts what it is offered.
          const sdkWorker = vars.worker as { once(event: string, listener: () => void): void };
          assert.ok(sdkWorker, 'the snippet names its worker');
          // Offers reach a connected worker: the task comes once it is ready, as an application's would.
          await new Promise<void>((resolve, reject) => {
            const timer = setTimeout(() => reject(new Error('the worker was not ready within 10 s')), 10_000);
            sdkWorker.once('ready', () => {
              clearTimeout(timer);
              resolve();
            });
          });
          await acceptedTask(ws);
          const [reservation] = await client.taskrouter.v1.workspaces(ws).workers(worker).reservations.list();
          assert.equal(reservation?.reservationStatus, 'accepted');
        }
      } finally {
        for (const value of Object.values(vars)) {
          if (value && typeof value === 'object' && '_signaling' in value) disconnectSdkWorker(value);
        }
      }
    });
  }

  for (const snippet of all.filter((x) => x.lang === 'html')) {
    it(`runs the page snippet at README line ${snippet.line} in Chromium`, { skip: skipWithoutChromium, timeout: 60_000 }, async () => {
      const { ws, token } = await availableWorker(`Page ${snippet.line}`);
      const site = await startPageServer({ '/': { type: 'text/html; charset=utf-8', body: `<!doctype html><meta charset="utf-8">${snippet.code.replaceAll(README_ORIGIN, s.origin)}` } });
      const browser = await launchChromium();
      try {
        const page = await browser.newPage();
        const errors: string[] = [];
        page.on('pageerror', (err) => errors.push(err.message));
        // The page's placeholders, and alert() recorded rather than shown.
        await page.addInitScript({ content: `window.workerToken = ${JSON.stringify(token)}; window.token = window.workerToken; window.alerts = []; window.alert = (m) => window.alerts.push(String(m));` });
        await page.goto(`${site.origin}/`);
        await acceptedTask(ws);
        assert.deepEqual(await page.evaluate('window.alerts'), []);
        assert.deepEqual(errors, []);
        await page.evaluate('typeof worker !== "undefined" && worker.disconnect()');
      } finally {
        await browser.close();
        await site.close();
      }
    });
  }
});
