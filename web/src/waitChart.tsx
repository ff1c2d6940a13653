// The dashboard's chart over time (uPlot): tasks waiting in the workspace (pending and reserved) and the average
// wait until acceptance over the chosen window, one point per refresh and at least one every 10 seconds, kept
// for the last hour this page was open.
import { useEffect, useRef } from 'preact/hooks';
import uPlot from 'uplot';

export interface WaitSample {
  at: number; // epoch seconds
  waiting: number;
  avgWait: number; // seconds
}

const KEEP_SECONDS = 3600;

export function WaitChart({ samples }: { samples: WaitSample[] }) {
  const host = useRef<HTMLDivElement>(null);
  const chart = useRef<uPlot>();
  useEffect(() => {
    const width = () => Math.max(280, (host.current?.clientWidth ?? 600) - 8);
    chart.current = new uPlot(
      {
        width: width(),
        height: 220,
        title: 'Tasks waiting and average wait until accepted',
        scales: { x: { time: true }, waiting: { auto: true }, seconds: { auto: true } },
        series: [
          {},
          { label: 'Tasks waiting', scale: 'waiting', stroke: '#1b5fd6', width: 2 },
          { label: 'Average wait (s)', scale: 'seconds', stroke: '#c2410c', width: 2, dash: [6, 4] },
        ],
        axes: [{}, { scale: 'waiting', label: 'tasks' }, { scale: 'seconds', side: 1, label: 'seconds', grid: { show: false } }],
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
    chart.current?.setData([recent.map((s) => s.at), recent.map((s) => s.waiting), recent.map((s) => s.avgWait)]);
  }, [samples]);
  return <div ref={host} class="chart" role="img" aria-label="Chart of tasks waiting and average wait over time" data-points={samples.length} />;
}
