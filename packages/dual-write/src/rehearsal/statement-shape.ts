/**
 * The shape of a statement: literals and placeholders blanked to `?`, `IN (?, ?, …)`
 * lists collapsed and whitespace squeezed, so the same query with other values, or
 * another number of values in a list, counts once.
 *
 * @example
 * ```ts
 * statementShape("SELECT * FROM t WHERE id IN (1, 2, 3) AND name = 'x'"); // 'SELECT * FROM t WHERE id IN (?) AND name = ?'
 * ```
 */
export function statementShape(sql: string): string {
  return sql
    .replace(/'(?:[^']|'')*'/g, '?')
    .replace(/\?\d+/g, '?')
    .replace(/(?<![\w$."])-?\d+(?:\.\d+)?(?![\w$"])/g, '?')
    .replace(/\s+/g, ' ')
    .replace(/\(\s*\?(?:\s*,\s*\?)+\s*\)/g, '(?)')
    .replace(/\s*;\s*$/, '')
    .trim();
}
