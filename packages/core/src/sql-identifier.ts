/**
 * Quotes a table or column name with double quotes, doubling any inside it: the form
 * SQLite, D1 and Postgres all read, so generated SQL works on every engine.
 *
 * @example
 * ```ts
 * quoteIdentifier('order'); // '"order"'
 * quoteIdentifier('a"b');   // '"a""b"'
 * ```
 */
export function quoteIdentifier(name: string): string {
  return '"' + name.replace(/"/g, '""') + '"';
}
