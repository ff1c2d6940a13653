// A small hand-written SVG line chart for the soak run: one panel per series stacked vertically, sharing the
// time axis, each with its own value scale (0 to the series' maximum), min/max labels and the comparison
// windows shaded. No dependency: the output is a plain SVG file a browser or an image viewer opens.

export interface ChartSeries {
  label: string;
  unit: string;
  values: (number | undefined)[];
}

export interface ChartInput {
  title: string;
  /** The x of each value (seconds since the start). */
  x: number[];
  series: ChartSeries[];
  /** Shaded x ranges (the first and last comparison windows). */
  windows?: { from: number; to: number; label: string }[];
}

const escape = (s: string) => s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');
const fmt = (v: number) => (v >= 100 ? v.toFixed(0) : v >= 10 ? v.toFixed(1) : v.toFixed(2));

export function lineChartSvg(input: ChartInput): string {
  const width = 900;
  const panel = 170;
  const left = 70;
  const right = 20;
  const top = 40;
  const gap = 30;
  const height = top + input.series.length * (panel + gap) + 20;
  const xMax = Math.max(1, ...input.x, ...(input.windows ?? []).map((w) => w.to));
  const sx = (x: number) => left + (x / xMax) * (width - left - right);
  const out: string[] = [
    `<svg xmlns="http://www.w3.org/2000/svg" width="${width}" height="${height}" viewBox="0 0 ${width} ${height}" font-family="sans-serif" font-size="11">`,
    `<rect width="100%" height="100%" fill="white"/>`,
    `<text x="${left}" y="22" font-size="14" font-weight="bold">${escape(input.title)}</text>`,
  ];
  input.series.forEach((s, i) => {
    const y0 = top + i * (panel + gap);
    const present = s.values.filter((v): v is number => v !== undefined && Number.isFinite(v));
    const yMax = Math.max(1e-9, ...present) * 1.1;
    const sy = (v: number) => y0 + panel - (v / yMax) * panel;
    for (const w of input.windows ?? []) {
      out.push(`<rect x="${sx(w.from).toFixed(1)}" y="${y0}" width="${(sx(w.to) - sx(w.from)).toFixed(1)}" height="${panel}" fill="#eef3ff"/>`);
      if (i === 0) out.push(`<text x="${sx(w.from).toFixed(1)}" y="${y0 - 4}" fill="#557">${escape(w.label)}</text>`);
    }
    out.push(`<rect x="${left}" y="${y0}" width="${width - left - right}" height="${panel}" fill="none" stroke="#999"/>`);
    out.push(`<text x="${left + 6}" y="${y0 + 14}" font-weight="bold">${escape(`${s.label} (${s.unit})`)}</text>`);
    out.push(`<text x="${left - 6}" y="${y0 + 10}" text-anchor="end">${fmt(yMax)}</text>`);
    out.push(`<text x="${left - 6}" y="${y0 + panel}" text-anchor="end">0</text>`);
    const points = s.values
      .map((v, k) => (v === undefined || !Number.isFinite(v) ? undefined : `${sx(input.x[k]!).toFixed(1)},${sy(v).toFixed(1)}`))
      .filter((p): p is string => p !== undefined);
    out.push(`<polyline fill="none" stroke="#1f5fbf" stroke-width="1.5" points="${points.join(' ')}"/>`);
    for (const p of points) {
      const [x, y] = p.split(',');
      out.push(`<circle cx="${x}" cy="${y}" r="2" fill="#1f5fbf"/>`);
    }
  });
  const axisY = top + input.series.length * (panel + gap) - gap + 16;
  for (let k = 0; k <= 6; k++) {
    const x = (xMax * k) / 6;
    out.push(`<text x="${sx(x).toFixed(1)}" y="${axisY}" text-anchor="middle">${Math.round(x)} s</text>`);
  }
  out.push('</svg>');
  return out.join('\n') + '\n';
}
