// The Workflow task lists' PostgreSQL dialect (store/workflowTaskQuery.ts): text compares by code point (the
// "C" collation, as migration 0017's indexes), conditions are booleans, and the ISO text of a time is to_char's.
import type { WfDialect } from '../workflowTaskQuery.ts';

export const POSTGRES_WF: WfDialect = {
  text: (expr) => `(${expr} COLLATE "C")`,
  definite: (condition) => `coalesce((${condition}), false)`,
  isoText: (ms) => `to_char(to_timestamp((${ms}) / 1000.0) AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.MS"Z"')`,
  startsWith: (text) => `left(${text}, length(?::text)) = ?::text`,
  numberParam: '?::double precision',
  never: 'false',
};
