// Prints an expression tree back to canonical source: upper-case keywords, double-quoted strings, every binary
// node parenthesised. parse(print(tree)) gives the same tree, which the property tests rely on, and a
// console can show users what their expression means.
import type { Node, Operand } from './ast.ts';

function operand(o: Operand): string {
  switch (o.type) {
    case 'literal':
      if (typeof o.value === 'string') return JSON.stringify(o.value);
      if (o.value === null) return 'null';
      return String(o.value);
    case 'key':
      return o.path.map((seg, i) => (typeof seg === 'number' ? `[${seg}]` : i === 0 ? seg : `.${seg}`)).join('');
    case 'array':
      return `[${o.items.map(operand).join(', ')}]`;
  }
}

export function printExpression(node: Node): string {
  switch (node.type) {
    case 'and':
      return `(${printExpression(node.left)} AND ${printExpression(node.right)})`;
    case 'or':
      return `(${printExpression(node.left)} OR ${printExpression(node.right)})`;
    case 'not':
      return `NOT (${printExpression(node.operand)})`;
    case 'compare':
      return `${operand(node.left)} ${node.op} ${operand(node.right)}`;
  }
}
