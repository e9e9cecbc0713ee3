/**
 * Builds a parameterised SQL statement piece by piece: `p(value)` returns the next `$n` placeholder.
 * Values never enter the text, so a filter built from client input cannot inject SQL.
 */
export class SqlParams {
  readonly values: unknown[] = [];

  p(value: unknown): string {
    this.values.push(value);
    return `$${this.values.length}`;
  }
}
