// The dashboard's chart over time (uPlot): tasks waiting in the workspace (pending and reserved) and the average
// wait until acceptance over the chosen window, one point per refresh and at least one every 10 seconds, kept
// for the last hour this page was open. The time axis spans at least a minute ending at the latest point, so
// one point sits at the right of a one-minute axis rather than alone on an axis of years.
import { useEffect, useRef } from 'preact/hooks';
import uPlot from 'uplot';

export interface WaitSample {
  at: number; // epoch seconds
  waiting: number;
  avgWait: number; // seconds
}

const KEEP_SECONDS = 3600;
const MIN_SPAN_SECONDS = 60;

/** The time axis: the samples' span, at least a minute, ending at the latest sample. */
export function timeRange(min: number | null, max: number | null): [number, number] {
  const end = max ?? Date.now() / 1000;
  const start = min ?? end;
  return [Math.min(start, end - MIN_SPAN_SECONDS), end];
}

/** A count or duration axis from zero, with room above the highest value (and never [0, 0]). */
const fromZero = (floor: number) => (_u: uPlot, _min: number | null, max: number | null): [number, number] => [0, Math.max(floor, Math.ceil((max ?? 0) * 1.15))];

/** The page's colours (light or dark scheme) for what uPlot draws on its canvas. */
function cssColour(name: string, fallback: string): string {
  return getComputedStyle(document.documentElement).getPropertyValue(name).trim() || fallback;
}

export function WaitChart({ samples }: { samples: WaitSample[] }) {
  const host = useRef<HTMLDivElement>(null);
  const chart = useRef<uPlot>();
  useEffect(() => {
    const width = () => Math.max(280, (host.current?.clientWidth ?? 600) - 8);
    const fg = cssColour('--fg', '#1d232b');
    const grid = cssColour('--line', '#d5dae1');
    const axis = (extra: uPlot.Axis): uPlot.Axis => ({ stroke: fg, grid: { stroke: grid, width: 1 }, ticks: { stroke: grid, width: 1 }, ...extra });
    chart.current = new uPlot(
      {
        width: width(),
        height: 220,
        title: 'Tasks waiting and average wait until accepted',
        scales: { x: { time: true, range: (_u, min, max) => timeRange(min, max) }, waiting: { range: fromZero(5) }, seconds: { range: fromZero(10) } },
        series: [
          {},
          { label: 'Tasks waiting', scale: 'waiting', stroke: cssColour('--accent', '#1b5fd6'), width: 2, points: { show: true } },
          { label: 'Average wait (s)', scale: 'seconds', stroke: cssColour('--warn', '#c2410c'), width: 2, dash: [6, 4], points: { show: true } },
        ],
        axes: [axis({}), axis({ scale: 'waiting', label: 'tasks' }), axis({ scale: 'seconds', side: 1, label: 'seconds', grid: { show: false } })],
      },
      [[], [], []],
      host.current!,
    );
    const resize = () => chart.current?.setSize({ width: width(), height: 220 });
    addEventListener('resize', resize);
    return () => {
      removeEventListener('resize', resize);
      chart.current?.destroy();
    };
  }, []);
  useEffect(() => {
    const recent = samples.filter((s) => s.at >= (samples.at(-1)?.at ?? 0) - KEEP_SECONDS);
    const c = chart.current;
    if (!c) return;
    c.setData([recent.map((s) => s.at), recent.map((s) => s.waiting), recent.map((s) => s.avgWait)]);
    // The time span drawn, as uPlot scaled it (the tests read it).
    host.current!.dataset.from = String(c.scales.x.min ?? '');
    host.current!.dataset.to = String(c.scales.x.max ?? '');
  }, [samples]);
  return (
    <div
      ref={host}
      class="chart"
      role="img"
      aria-label="Chart of tasks waiting and average wait over time"
      data-points={samples.length}
    />
  );
}
