// The Workflow task lists' SQLite dialect (store/workflowTaskQuery.ts): text compares by code point (BINARY),
// conditions are integers, and the ISO text of a time is strftime's.
import type { WfDialect } from '../workflowTaskQuery.ts';

export const SQLITE_WF: WfDialect = {
  text: (expr) => expr,
  definite: (condition) => `coalesce((${condition}), 0)`,
  isoText: (ms) => `strftime('%Y-%m-%dT%H:%M:%fZ', ${ms} / 1000.0, 'unixepoch')`,
  startsWith: (text) => `substr(${text}, 1, length(?)) = ?`,
  numberParam: '?',
  never: '0',
};
