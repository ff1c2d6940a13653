// `switchboard demo` as a user runs it (bin/switchboard.js, its own server on a free port), sped up: it prints
// the console's address and credentials; signed in with them in Chromium, the demo workspace's dashboard shows
// live traffic (contacts waiting, reservations accepted, the chart moving) within seconds; the screenshot the
// README shows (docs/console-demo.png) is taken again into a temporary folder and checked to be a real picture
// of that (UPDATE_SCREENSHOT=1 copies it over the committed one). The Workflow definition and the Opsflow board
// are there too, and Ctrl-C (SIGTERM) stops it cleanly.
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { spawn, type ChildProcess } from 'node:child_process';
import { copyFileSync, mkdirSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { Browser } from 'playwright-core';
import { launchChromium, openConsole, problemsOf, skipWithoutChromium } from '../support/consoleBrowser.ts';

const ROOT = fileURLToPath(new URL('../..', import.meta.url));
const SCREENSHOT = join(ROOT, 'docs', 'console-demo.png');

/** Width and height from a PNG's IHDR chunk. */
function pngSize(bytes: Buffer): { width: number; height: number } {
  assert.equal(bytes.subarray(1, 4).toString('latin1'), 'PNG', 'a PNG file');
  return { width: bytes.readUInt32BE(16), height: bytes.readUInt32BE(20) };
}

describe('switchboard demo', { skip: skipWithoutChromium }, () => {
  let demo: ChildProcess;
  let output = '';
  let browser: Browser;
  let origin: string;
  let accountSid: string;
  let authToken: string;
  const basic = () => ({ authorization: 'Basic ' + Buffer.from(`${accountSid}:${authToken}`).toString('base64') });

  before(async () => {
    // Six times faster than life and 180 contacts a minute: seconds of traffic look like minutes of it.
    demo = spawn(process.execPath, [join(ROOT, 'bin', 'switchboard.js'), 'demo', '--port', '0', '--speed', '6', '--rate', '180', '--seconds', '300'], { stdio: ['ignore', 'pipe', 'pipe'] });
    demo.stderr!.on('data', (d) => process.stderr.write(`demo: ${d}`));
    await new Promise<void>((resolve, reject) => {
      demo.stdout!.on('data', (d) => {
        output += d;
        if (/Auth token:/.test(output) && output.includes('\n\n', output.indexOf('Auth token:'))) resolve();
      });
      demo.once('exit', (code) => reject(new Error(`the demo exited (${code}) before it was ready:\n${output}`)));
    });
    origin = /Console:\s+(\S+)\/console/.exec(output)![1]!;
    accountSid = /Account SID:\s+(AC[0-9a-f]{32})/.exec(output)![1]!;
    authToken = /Auth token:\s+(\S+)/.exec(output)![1]!;
    browser = await launchChromium();
  });
  after(async () => {
    await browser?.close();
    if (demo && demo.exitCode === null) demo.kill('SIGKILL');
  });

  it('prints where the console is and how to sign in; the demo workspace\'s dashboard shows live traffic; the README\'s screenshot is taken', async () => {
    assert.match(output, /Console:\s+http:\/\/127\.0\.0\.1:\d+\/console/);
    const page = await openConsole(browser, origin, { accountSid, authToken }, { viewport: { width: 1280, height: 900 } });
    await page.getByRole('link', { name: 'Demo contact centre' }).click();
    await page.getByRole('heading', { name: 'Dashboard' }).waitFor();
    await page.getByText('Live').waitFor();
    // Queues by skill and language.
    for (const queue of ['Billing · English', 'Technical · Spanish', 'Anyone · English']) await page.locator(`tr[data-queue="${queue}"]`).waitFor();
    // Live traffic: reservations accepted, and the chart drawn from many refreshes driven by events, over 20 s.
    const opened = Date.now();
    await page.waitForFunction(
      (since) => {
        const accepted = [...document.querySelectorAll('td[data-accepted]')].reduce((n, td) => n + Number(td.textContent), 0);
        const points = Number((document.querySelector('.chart') as HTMLElement | null)?.dataset.points ?? 0);
        return accepted >= 10 && points >= 10 && Date.now() - since >= 20_000;
      },
      opened,
      { timeout: 60_000, polling: 500 },
    );
    assert.ok(Number(await page.getByTestId('event-count').innerText()) > 20, 'the dashboard follows the workspace events');
    const shots = join(tmpdir(), 'switchboard-demo');
    mkdirSync(shots, { recursive: true });
    const shot = join(shots, 'console-demo.png');
    await page.screenshot({ path: shot });
    const bytes = readFileSync(shot);
    assert.deepEqual(pngSize(bytes), { width: 1280, height: 900 });
    assert.ok(bytes.length > 40_000, `a real picture (${bytes.length} bytes), not a blank page`);
    if (process.env.UPDATE_SCREENSHOT) copyFileSync(shot, SCREENSHOT);
    // The committed screenshot the README shows is a picture of the same page.
    const committed = readFileSync(SCREENSHOT);
    assert.deepEqual(pngSize(committed), { width: 1280, height: 900 });
    assert.ok(readFileSync(join(ROOT, 'README.md'), 'utf8').includes('docs/console-demo.png'), 'the README shows it');
    assert.deepEqual(problemsOf(page), []);
    await page.close();
  });

  it('set up the other faces too: a Workflow task definition with tasks, an Opsflow board; agents work on their own tokens', async () => {
    const definition = await (await fetch(`${origin}/api/taskdefinitions/demo/refunds`, { headers: basic() })).json();
    assert.equal(definition.displayName, 'Refund approval');
    const tasks = await (await fetch(`${origin}/api/taskdefinitions/demo/refunds/tasks?limit=100`, { headers: basic() })).json();
    assert.ok(new Set(tasks.values.map((t: any) => t.state)).size >= 4, 'refunds at several stages');
    const board = await (await fetch(`${origin}/opsflow/v1/task/list`, { method: 'POST', headers: { ...basic(), 'content-type': 'application/json' }, body: '{}' })).json();
    assert.deepEqual(new Set(board.results.map((t: any) => t.status_type)), new Set(['TODO', 'IN_PROGRESS', 'COMPLETED']));
    const workspaces = await (await fetch(`${origin}/v1/Workspaces`, { headers: basic() })).json();
    const ws = workspaces.workspaces.find((w: any) => w.friendly_name === 'Demo contact centre').sid;
    const workers = await (await fetch(`${origin}/v1/Workspaces/${ws}/Workers?PageSize=100`, { headers: basic() })).json();
    assert.equal(workers.workers.length, 20);
    const completed = await (await fetch(`${origin}/v1/Workspaces/${ws}/Tasks?AssignmentStatus=completed&PageSize=1`, { headers: basic() })).json();
    assert.equal(completed.tasks.length, 1, 'the agents complete contacts');
    // Rejections happen too (1 in 8 offers).
    const events = await (await fetch(`${origin}/v1/Workspaces/${ws}/Events?EventType=reservation.rejected&PageSize=1`, { headers: basic() })).json();
    assert.equal(events.events.length, 1, 'some offers were rejected');
  });

  it('stops cleanly on SIGTERM, saying what happened', async () => {
    const exited = new Promise<number | null>((resolve) => demo.once('close', resolve));
    demo.kill('SIGTERM');
    assert.equal(await exited, 0);
    assert.match(output, /demo stopped: \d+ contacts arrived, \d+ completed/);
  });
});
