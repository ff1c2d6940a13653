// The console at /console: one HTML page and its script (web/src, Preact, bundled by esbuild on first use).
// It uses only what any application can: the public REST API with the credentials the user signs in with, and
// the browser SDK with tokens from POST /switchboard/v1/Tokens.
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { fileURLToPath } from 'node:url';
import type { FastifyInstance } from 'fastify';
import { serveBundledScript } from '../common/bundledScript.ts';

const ENTRY = fileURLToPath(new URL('../../../web/src/main.tsx', import.meta.url));

const STYLE = `
:root{color-scheme:light dark;--fg:#1d232b;--muted:#5b6573;--bg:#fff;--line:#d5dae1;--accent:#1b5fd6;--bad:#b3261e;--ok:#1f7a3a}
@media (prefers-color-scheme:dark){:root{--fg:#e6e9ee;--muted:#a3acb9;--bg:#14171c;--line:#333a44;--accent:#7aa7ff;--bad:#ff8a80;--ok:#7bd88f}}
*{box-sizing:border-box}body{margin:0;font:15px/1.45 system-ui,sans-serif;color:var(--fg);background:var(--bg)}
header{display:flex;flex-wrap:wrap;gap:12px;align-items:center;padding:10px 16px;border-bottom:1px solid var(--line)}
header nav{display:flex;flex-wrap:wrap;gap:4px;flex:1}header nav a{padding:6px 10px;border-radius:6px;color:var(--fg);text-decoration:none}
header nav a[aria-current=page]{background:var(--accent);color:#fff}.brand{font-weight:700;color:var(--fg);text-decoration:none}
main{padding:16px;max-width:1200px;margin:0 auto}a{color:var(--accent)}:focus-visible{outline:3px solid var(--accent);outline-offset:2px}
table{border-collapse:collapse;width:100%;margin:12px 0}caption{text-align:left;font-weight:600;padding:4px 0}
th,td{border-bottom:1px solid var(--line);padding:6px 8px;text-align:left;vertical-align:top}.table-wrap{overflow-x:auto}
label{display:flex;flex-direction:column;gap:4px;margin:8px 0;font-weight:500}label.inline{flex-direction:row;align-items:center;gap:8px}
input,select,textarea,button{font:inherit;padding:6px 8px;border:1px solid var(--line);border-radius:6px;background:var(--bg);color:var(--fg)}
button{background:var(--accent);color:#fff;border-color:var(--accent);cursor:pointer}button:disabled{opacity:.5;cursor:not-allowed}
button.link{background:none;color:var(--accent);border:none}.card{border:1px solid var(--line);border-radius:8px;padding:12px 16px;margin:12px 0;max-width:640px}
.error{color:var(--bad)}.hint{color:var(--muted)}.status{color:var(--muted)}.dot{display:inline-block;width:10px;height:10px;border-radius:50%;background:var(--bad)}
.dot.on{background:var(--ok)}code,pre{font:13px ui-monospace,monospace;white-space:pre-wrap;word-break:break-all}
.timeline{padding-left:20px}.timeline li{margin:4px 0}.offers{list-style:none;padding:0}.offer{border:1px solid var(--line);border-radius:8px;padding:8px 12px;margin:8px 0}
.offer.pending{border-color:var(--accent)}.card.wide{max-width:none}
.board{display:grid;grid-template-columns:repeat(3,minmax(0,1fr));gap:12px}@media (max-width:800px){.board{grid-template-columns:1fr}}
.column{border:1px solid var(--line);border-radius:8px;padding:8px;min-height:200px}.column.over{outline:3px dashed var(--accent)}
.ticket{border:1px solid var(--line);border-radius:6px;padding:6px 8px;margin:6px 0;background:var(--bg);cursor:grab}.ticket h3{margin:0;font-size:15px}
.diagram{color:var(--fg)}.diagram rect{fill:var(--bg);stroke:currentColor}.diagram rect.initial{stroke:var(--accent);stroke-width:3}.diagram text{fill:currentColor;font-size:13px}.diagram .trigger{fill:var(--muted);font-size:12px}.actions{display:flex;gap:8px;margin:8px 0}.signin{max-width:420px;margin:10vh auto}
.chart{margin:12px 0;border:1px solid var(--line);border-radius:8px;padding:4px}.cards{list-style:none;padding:0}.cards li{padding:8px 0;border-bottom:1px solid var(--line)}dl.facts{display:grid;grid-template-columns:max-content 1fr;gap:4px 16px}
@media (max-width:640px){th,td{padding:4px}header{padding:8px}}
`;

// uPlot's own stylesheet, inlined with ours.
const UPLOT_CSS = readFileSync(createRequire(import.meta.url).resolve('uplot/dist/uPlot.min.css'), 'utf8');

const PAGE = `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1">
<title>Switchboard console</title><style>${UPLOT_CSS}${STYLE}</style></head>
<body><div id="app"></div><script src="/console/app.js"></script></body></html>`;

export function registerConsole(app: FastifyInstance): void {
  const page = async (_request: unknown, reply: { header(k: string, v: string): { send(body: string): unknown } }) => reply.header('content-type', 'text/html; charset=utf-8').send(PAGE);
  app.get('/console', page);
  app.get('/console/', page);
  serveBundledScript(app, '/console/app.js', {
    entryPoints: [ENTRY],
    format: 'iife',
    minify: true,
    jsx: 'automatic',
    jsxImportSource: 'preact',
  });
}
