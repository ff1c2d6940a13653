// Workflow target `order_by`: comma-separated `worker.<attribute> ASC|DESC` clauses (direction optional,
// ASC by default). Ordering itself happens in the routing engine; this only validates and parses.
import { ExpressionSyntaxError } from './errors.ts';
import { MAX_EXPRESSION_LENGTH } from './parser.ts';

export interface OrderByClause {
  path: string[];
  key: string;
  direction: 'ASC' | 'DESC';
}

export function parseOrderBy(source: string): OrderByClause[] {
  if (source.length > MAX_EXPRESSION_LENGTH) {
    throw new ExpressionSyntaxError(`order_by longer than ${MAX_EXPRESSION_LENGTH} characters`, MAX_EXPRESSION_LENGTH + 1);
  }
  const clauses: OrderByClause[] = [];
  let offset = 0;
  for (const part of source.split(',')) {
    const column = offset + (part.length - part.trimStart().length) + 1;
    // `worker.` is case-sensitive like key prefixes in expressions; only the direction is case-insensitive.
    const m = /^\s*(worker(?:\.[A-Za-z_$][A-Za-z0-9_$]*)+)(?:\s+([Aa][Ss][Cc]|[Dd][Ee][Ss][Cc]))?\s*$/.exec(part);
    if (!m) {
      throw new ExpressionSyntaxError(`invalid order_by clause '${part.trim()}'; expected worker.<attribute> ASC|DESC`, column);
    }
    clauses.push({ key: m[1]!, path: m[1]!.split('.').slice(1), direction: (m[2]?.toUpperCase() ?? 'ASC') as 'ASC' | 'DESC' });
    offset += part.length + 1;
  }
  return clauses;
}
