// A real Prometheus server (Debian's `prometheus` package; .ci/run installs it) on a free loopback port,
// scraping the given targets every second into a throwaway TSDB, and a client for its HTTP query API.
import { type ChildProcess, spawn } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { freePort } from './childServer.ts';

export interface PrometheusTarget {
  /** host:port */
  address: string;
  bearerToken?: string;
}

export interface Sample {
  metric: Record<string, string>;
  value: number;
}

export interface Prometheus {
  url: string;
  /** An instant query through /api/v1/query. */
  query(expr: string): Promise<Sample[]>;
  /** Polls the query until `accept` is true of its samples (scrapes lag by up to a second); returns them. */
  waitFor(expr: string, accept: (samples: Sample[]) => boolean, ms?: number): Promise<Sample[]>;
  stop(): Promise<void>;
}

export function prometheusBinary(): string | undefined {
  return ['/usr/bin/prometheus', '/usr/local/bin/prometheus'].find((p) => existsSync(p));
}

export async function startPrometheus(targets: PrometheusTarget[]): Promise<Prometheus> {
  const binary = prometheusBinary();
  if (!binary) throw new Error('prometheus is not installed (apt-get install prometheus)');
  const dir = mkdtempSync(join(tmpdir(), 'switchboard-prometheus-'));
  const port = await freePort();
  // One job per target (a target's own authorization); JSON is valid YAML.
  const config = {
    global: { scrape_interval: '1s', scrape_timeout: '1s', evaluation_interval: '1s' },
    scrape_configs: targets.map((t, i) => ({
      job_name: `switchboard-${i}`,
      metrics_path: '/metrics',
      ...(t.bearerToken ? { authorization: { type: 'Bearer', credentials: t.bearerToken } } : {}),
      static_configs: [{ targets: [t.address] }],
    })),
  };
  writeFileSync(join(dir, 'prometheus.yml'), JSON.stringify(config, null, 2));
  const child: ChildProcess = spawn(
    binary,
    [`--config.file=${join(dir, 'prometheus.yml')}`, `--storage.tsdb.path=${join(dir, 'data')}`, `--web.listen-address=127.0.0.1:${port}`, '--log.level=warn', '--web.enable-lifecycle'],
    { stdio: ['ignore', 'ignore', 'pipe'] },
  );
  let log = '';
  child.stderr!.on('data', (d) => (log += d));
  const url = `http://127.0.0.1:${port}`;
  const deadline = Date.now() + 30_000;
  for (;;) {
    if (child.exitCode !== null) throw new Error(`prometheus exited: ${log}`);
    try {
      if ((await fetch(`${url}/-/ready`)).status === 200) break;
    } catch {
      // not listening yet
    }
    if (Date.now() > deadline) throw new Error(`prometheus did not become ready: ${log}`);
    await new Promise((r) => setTimeout(r, 100));
  }

  const query = async (expr: string): Promise<Sample[]> => {
    const res = await fetch(`${url}/api/v1/query?query=${encodeURIComponent(expr)}`);
    const body = (await res.json()) as { status: string; error?: string; data: { resultType: string; result: { metric: Record<string, string>; value: [number, string] }[] } };
    if (body.status !== 'success') throw new Error(`query ${expr}: ${body.error}`);
    return body.data.result.map((r) => ({ metric: r.metric, value: Number(r.value[1]) }));
  };
  return {
    url,
    query,
    async waitFor(expr, accept, ms = 20_000) {
      const until = Date.now() + ms;
      let last: Sample[] = [];
      for (;;) {
        last = await query(expr);
        if (accept(last)) return last;
        if (Date.now() > until) throw new Error(`Prometheus: ${expr} never satisfied the condition within ${ms} ms; last answer ${JSON.stringify(last)}`);
        await new Promise((r) => setTimeout(r, 250));
      }
    },
    async stop() {
      if (child.exitCode === null) {
        const exited = new Promise((r) => child.once('exit', r));
        child.kill('SIGTERM');
        await exited;
      }
      rmSync(dir, { recursive: true, force: true });
    },
  };
}
