// The tests' and benchmarks' reader of /metrics (test/support/metricsScrape.ts) against the text prom-client
// writes: labels in any order, escaped values, histogram series as names of their own, comments skipped.
import { it } from 'node:test';
import assert from 'node:assert/strict';
import { Registry, Counter, Histogram } from 'prom-client';
import { parseMetrics } from '../support/metricsScrape.ts';

it('reads the samples of a metric by some of their labels, and sums them', async () => {
  const registry = new Registry();
  const forwarded = new Counter({ name: 'forwarded_total', help: 'h', labelNames: ['direction', 'via'], registers: [registry] });
  forwarded.inc({ direction: 'sent', via: 'direct' }, 3);
  forwarded.inc({ via: 'database', direction: 'sent' }, 2);
  forwarded.inc({ direction: 'executed', via: 'direct' }, 7);
  const odd = new Counter({ name: 'odd_total', help: 'h', labelNames: ['path'], registers: [registry] });
  odd.inc({ path: 'a "quoted" \\ path\nwith a newline' }, 4);
  const commits = new Histogram({ name: 'commit_seconds', help: 'h', buckets: [0.01, 0.1], registers: [registry] });
  commits.observe(0.05);
  commits.observe(0.2);

  const scrape = parseMetrics(await registry.metrics());
  assert.equal(scrape.sum('forwarded_total'), 12);
  assert.equal(scrape.sum('forwarded_total', { direction: 'sent' }), 5);
  assert.equal(scrape.sum('forwarded_total', { direction: 'sent', via: 'database' }), 2);
  assert.equal(scrape.sum('forwarded_total', { direction: 'nowhere' }), 0);
  assert.deepEqual(scrape.samples('odd_total').map((s) => s.labels.path), ['a "quoted" \\ path\nwith a newline']);
  assert.equal(scrape.sum('commit_seconds_count'), 2);
  assert.ok(Math.abs(scrape.sum('commit_seconds_sum') - 0.25) < 1e-9);
  assert.equal(scrape.sum('commit_seconds_bucket', { le: '0.1' }), 1);
  assert.equal(scrape.sum('commit_seconds'), 0, 'a histogram has no sample under its own name');
});
