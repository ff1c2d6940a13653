// A node's GET /metrics (Prometheus text format) read by tests, the soak and the benchmarks: one scrape, then the
// samples of a metric, filtered by some of their labels and summed.

/** One sample: its metric name (a histogram's `_sum`, `_count` and `_bucket` are names of their own), labels and
 *  value. */
export interface Sample {
  name: string;
  labels: Record<string, string>;
  value: number;
}

export interface Scrape {
  /** The samples of `name` whose labels include every one of `labels`. */
  samples(name: string, labels?: Record<string, string>): Sample[];
  /** Their values summed (0 when there is none). */
  sum(name: string, labels?: Record<string, string>): number;
}

const SAMPLE = /^([A-Za-z_:][\w:]*)(?:\{(.*)\})? (\S+)/;
const LABEL = /(\w+)="((?:[^"\\]|\\.)*)"/g;

/** The samples of a /metrics text. */
export function parseMetrics(text: string): Scrape {
  const all: Sample[] = [];
  for (const line of text.split('\n')) {
    if (line.startsWith('#')) continue;
    const m = SAMPLE.exec(line);
    if (!m) continue;
    const labels: Record<string, string> = {};
    for (const l of (m[2] ?? '').matchAll(LABEL)) labels[l[1]!] = l[2]!.replace(/\\(.)/g, (_, c: string) => (c === 'n' ? '\n' : c));
    all.push({ name: m[1]!, labels, value: Number(m[3]) });
  }
  const samples = (name: string, labels: Record<string, string> = {}) =>
    all.filter((s) => s.name === name && Object.entries(labels).every(([k, v]) => s.labels[k] === v));
  return { samples, sum: (name, labels) => samples(name, labels).reduce((a, s) => a + s.value, 0) };
}

/** Scrapes `origin`'s /metrics (refused scrapes throw). */
export async function scrapeMetrics(origin: string, authorization?: string): Promise<Scrape> {
  const res = await fetch(`${origin}/metrics`, { headers: authorization ? { authorization } : {} });
  const text = await res.text();
  if (!res.ok) throw new Error(`${origin}/metrics: ${res.status} ${text.slice(0, 200)}`);
  return parseMetrics(text);
}
