// The soak of CI: 2 minutes at 200 lifecycles/s (test/soak/soakRun.ts), rows of 10 s, the first 30 s after a
// 20 s warm-up compared with the last 30 s. `npm run soak` is the long run whose figures are quoted (1.2x).
// What 2 minutes on a shared CI machine can honestly assert: no error at all, the rate held (what was started
// completed), and no blow-up: RSS within 1.5x and the latencies within 5x (a neighbour's burst of CPU moves a
// p99 by more than 1.2x; a leak or a growing scan moves it by more than that over a long run, which is where the
// 1.2x bound is checked). The latencies compared are the median of each window's three rows' p99s: when the
// suite ran it beside another test file, a neighbour's burst in one row of the last window (push p99 352 ms in
// one row, 51 to 76 in the others, against 24 to 52 in the first window) made the window's p99 5.14x and failed
// CI, where a drift slows every row. The soaks run after the rest (scripts/run-tests.mjs): this one beside a
// steady neighbour through both windows (the client suites against a cluster, two files at a time), which weighs
// on both alike. The chart is written to the OS temp dir and removed.
import { it } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { runSoak, soakChart, soakReport } from './soakRun.ts';

delete process.env.SWITCHBOARD_ACCOUNT_SID;
delete process.env.SWITCHBOARD_AUTH_TOKEN;

it('holds 200 lifecycles/s for 2 minutes with statistics and lists mixed in, without errors or drift', { timeout: 300_000 }, async (t) => {
  const r = await runSoak({ seconds: 120, rate: 200, rowSeconds: 10, warmupSeconds: 20, windowSeconds: 30 });
  for (const line of soakReport(r, 10).split('\n')) t.diagnostic(line);
  const dir = mkdtempSync(join(tmpdir(), 'switchboard-soak-chart-'));
  try {
    writeFileSync(join(dir, 'soak.svg'), soakChart(r, 10));
    assert.match(readFileSync(join(dir, 'soak.svg'), 'utf8'), /^<svg [^]*<polyline [^]*<\/svg>\n$/);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
  assert.equal(r.errors, 0, r.errorSamples.join('\n'));
  assert.ok(r.started >= 0.95 * 200 * 120, `the schedule started ${r.started} lifecycles`);
  assert.ok(r.lifecycles >= 0.98 * r.started, `${r.lifecycles} of ${r.started} lifecycles completed`);
  assert.ok(r.ratios.rss <= 1.5, `RSS ${r.ratios.rss.toFixed(2)}x`);
  assert.ok(r.ratios.requestRowsP99 <= 5, `p99 request latency ${r.ratios.requestRowsP99.toFixed(2)}x (the rows' median)`);
  assert.ok(r.ratios.pushRowsP99 <= 5, `p99 create-to-push ${r.ratios.pushRowsP99.toFixed(2)}x (the rows' median)`);
  assert.ok(r.ratios.statistics <= 5, `statistics ${r.ratios.statistics.toFixed(2)}x`);
});
