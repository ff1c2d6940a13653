// Public API of the expression language. An expression is compiled once for a scope, which decides what its
// keys refer to:
//   queue   TaskQueue target_workers: keys are worker attribute paths (a `worker.` prefix is tolerated)
//   filter  workflow filter expression: keys are task attribute paths (a `task.` prefix is tolerated)
//   target  workflow target expression: every key must start with `task.` or `worker.`
//   skipIf  workflow skip_if: keys are `workers.available`, `workers.unavailable`, `workers.WA…` counts
//   plain   keys resolve against one object as written
import type { Node, Operand } from './ast.ts';
import { ExpressionSyntaxError } from './errors.ts';
import { compileNode, lookup } from './evaluate.ts';
import { parse } from './parser.ts';

export { ExpressionSyntaxError } from './errors.ts';
export { MAX_DEPTH, MAX_EXPRESSION_LENGTH } from './parser.ts';
export { parseOrderBy, type OrderByClause } from './orderBy.ts';
export { printExpression } from './print.ts';
export { parse as parseExpression } from './parser.ts';

export type ExpressionScope = 'queue' | 'filter' | 'target' | 'skipIf' | 'plain';

export interface EvaluationContext {
  task?: unknown;
  worker?: unknown;
  workers?: unknown;
  root?: unknown;
}

export interface CompiledExpression {
  source: string;
  /** The keys the expression reads, as written. */
  keys: string[];
  evaluate(ctx: EvaluationContext): boolean;
}

function collectKeys(node: Node, out: { text: string; path: (string | number)[]; column?: number }[]): void {
  const fromOperand = (o: Operand) => {
    if (o.type === 'key') out.push({ text: o.text, path: o.path });
    else if (o.type === 'array') o.items.forEach(fromOperand);
  };
  switch (node.type) {
    case 'and':
    case 'or':
      collectKeys(node.left, out);
      collectKeys(node.right, out);
      break;
    case 'not':
      collectKeys(node.operand, out);
      break;
    case 'compare':
      fromOperand(node.left);
      fromOperand(node.right);
  }
}

function columnOf(source: string, keyText: string): number {
  const i = source.indexOf(keyText);
  return i < 0 ? 1 : i + 1;
}

export function compileExpression(source: string, scope: ExpressionScope): CompiledExpression {
  const tree = parse(source);
  const keys: { text: string; path: (string | number)[] }[] = [];
  collectKeys(tree, keys);
  for (const k of keys) {
    const head = k.path[0];
    if (scope === 'target' && head !== 'task' && head !== 'worker') {
      throw new ExpressionSyntaxError(`key '${k.text}' must be prefixed with task. or worker.`, columnOf(source, k.text));
    }
    if (scope === 'skipIf' && head !== 'workers') {
      throw new ExpressionSyntaxError(`key '${k.text}' must be workers.available, workers.unavailable or workers.<ActivitySid>`, columnOf(source, k.text));
    }
    if ((scope === 'target' || scope === 'skipIf') && k.path.length < 2) {
      throw new ExpressionSyntaxError(`key '${k.text}' needs an attribute after the prefix`, columnOf(source, k.text));
    }
  }
  const predicate = compileNode(tree);
  const tolerated = scope === 'queue' ? 'worker' : scope === 'filter' ? 'task' : undefined;
  let evaluate: (ctx: EvaluationContext) => boolean;
  switch (scope) {
    case 'target':
      evaluate = (ctx) => predicate((path) => lookup(path[0] === 'task' ? ctx.task : ctx.worker, path, 1));
      break;
    case 'skipIf':
      evaluate = (ctx) => predicate((path) => lookup(ctx.workers, path, 1));
      break;
    default:
      // The prefix is tolerated, not required: `worker.skills HAS 'x'` in a queue means `skills HAS 'x'`,
      // unless the attributes really have a top-level `worker` key.
      evaluate = (ctx) =>
        predicate((path) => {
          const direct = lookup(ctx.root, path);
          if (direct !== undefined || path[0] !== tolerated || path.length < 2) return direct;
          return lookup(ctx.root, path, 1);
        });
  }
  return { source, keys: keys.map((k) => k.text), evaluate };
}

export function checkExpression(source: string, scope: ExpressionScope): { ok: true } | { ok: false; message: string; column: number } {
  try {
    compileExpression(source, scope);
    return { ok: true };
  } catch (err) {
    if (err instanceof ExpressionSyntaxError) return { ok: false, message: err.message, column: err.column };
    throw err;
  }
}
