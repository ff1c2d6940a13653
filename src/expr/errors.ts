// A syntax error in a TaskRouter expression, with the 1-based column where it was found. The API layer turns it
// into a 20001 whose message says what was expected and where.
export class ExpressionSyntaxError extends Error {
  readonly column: number;
  constructor(message: string, column: number) {
    super(`${message} at column ${column}`);
    this.name = 'ExpressionSyntaxError';
    this.column = column;
  }
}
