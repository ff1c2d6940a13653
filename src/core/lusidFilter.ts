// The parsed form of a LUSID filter (`state eq 'Open' and fields['amount'] gt 100`): what the Workflow face's
// parser (workflow/filter/filterParser.ts) produces, the evaluator reads and the stores translate to SQL
// (store/workflowTaskQuery.ts). Pure data.

export type CompareOp = 'eq' | 'neq' | 'gt' | 'gte' | 'lt' | 'lte' | 'startswith';

export type Operand = { kind: 'path'; segments: string[]; text: string } | { kind: 'literal'; value: string | number | boolean | null };

export type FilterNode =
  | { kind: 'and' | 'or'; left: FilterNode; right: FilterNode }
  | { kind: 'not'; operand: FilterNode }
  | { kind: 'compare'; op: CompareOp; left: Operand; right: Operand }
  | { kind: 'in'; negated: boolean; left: Operand; values: Operand[] }
  | { kind: 'exists'; negated: boolean; operand: Operand };
