// The expression tree the parser builds and the compiler turns into closures.
export type Literal = string | number | boolean | null;

export type Operand =
  | { type: 'literal'; value: Literal }
  | { type: 'key'; path: (string | number)[]; text: string }
  | { type: 'array'; items: Operand[] };

export type ComparisonOperator = '==' | '!=' | '>' | '>=' | '<' | '<=' | 'CONTAINS' | 'HAS' | 'IN' | 'NOT IN';

export type Node =
  | { type: 'and' | 'or'; left: Node; right: Node }
  | { type: 'not'; operand: Node }
  | { type: 'compare'; op: ComparisonOperator; left: Operand; right: Operand };
