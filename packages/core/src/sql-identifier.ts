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

/**
 * A string as a SQL literal in single quotes, doubling any inside it: the standard form
 * SQLite, D1 and Postgres (with `standard_conforming_strings`, its default) all read.
 *
 * @example
 * ```ts
 * quoteLiteral("it's"); // "'it''s'"
 * ```
 */
export function quoteLiteral(text: string): string {
  return "'" + text.replace(/'/g, "''") + "'";
}
