// Public API of the expression language. An expression is compiled once for a scope, which decides what its
// keys refer to:
//   queue   TaskQueue target_workers: keys are worker attribute paths (a `worker.` prefix is tolerated)
//   filter  workflow filter expression: keys are task attribute paths (a `task.` prefix is tolerated)
//   target  workflow target expression: every key must start with `task.` or `worker.`
//   skipIf  workflow skip_if: keys are `workers.available`, `workers.unavailable`, `workers.WA…` counts
//   plain   keys resolve against one object as written
import { ExpressionSyntaxError } from './errors.ts';
import { compileNode, lookup } from './evaluate.ts';
import { parseWithKeys } from './parser.ts';

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
  /** Set when the whole expression is `key == literal` (queue, filter and plain scopes): it is true exactly
   *  when `value(ctx) === literal`, so callers can index many such expressions by their literal. */
  equality?: { key: string; literal: string | number | boolean | null; value(ctx: EvaluationContext): unknown };
}

export function compileExpression(source: string, scope: ExpressionScope): CompiledExpression {
  const { tree, keys } = parseWithKeys(source);
  for (const k of keys) {
    const head = k.path[0];
    if (scope === 'target' && head !== 'task' && head !== 'worker') {
      throw new ExpressionSyntaxError(`key '${k.text}' must be prefixed with task. or worker.`, k.column);
    }
    if (scope === 'skipIf' && head !== 'workers') {
      throw new ExpressionSyntaxError(`key '${k.text}' must be workers.available, workers.unavailable or workers.<ActivitySid>`, k.column);
    }
    if ((scope === 'target' || scope === 'skipIf') && k.path.length < 2) {
      throw new ExpressionSyntaxError(`key '${k.text}' needs an attribute after the prefix`, k.column);
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
      // The name after `workers.` is not checked against the workspace's activities: Twilio validates
      // expressions syntactically only, and an unknown count is simply null (so `workers.X == 0` is false).
      evaluate = (ctx) => predicate((path) => lookup(ctx.workers, path, 1));
      break;
    default: {
      // The prefix is tolerated, not required: `worker.skills HAS 'x'` in a queue means `skills HAS 'x'`,
      // unless the attributes really have a top-level `worker` key.
      const resolve = (root: unknown, path: readonly (string | number)[]) => {
        const direct = lookup(root, path);
        if (direct !== undefined || path[0] !== tolerated || path.length < 2) return direct;
        return lookup(root, path, 1);
      };
      evaluate = (ctx) => predicate((path) => resolve(ctx.root, path));
      // `key == literal` (either way round): equal exactly when the key's value is that scalar (or both null).
      if (tree.type === 'compare' && tree.op === '==') {
        const [key, literal] = tree.left.type === 'key' ? [tree.left, tree.right] : [tree.right, tree.left];
        if (key.type === 'key' && literal.type === 'literal') {
          const path = key.path;
          // A missing key is null, as the evaluator treats it (`x == null` is a presence test).
          const value = (ctx: EvaluationContext) => resolve(ctx.root, path) ?? null;
          return { source, keys: keys.map((k) => k.text), evaluate, equality: { key: key.text, literal: literal.value, value } };
        }
      }
    }
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
