import { SqlTokenizer } from '@switchyard/core';

/**
 * The shape of a statement: literals and placeholders blanked to `?`, `IN (?, ?, …)`
 * lists collapsed, comments dropped and whitespace squeezed, so the same query with
 * other values, or another number of values in a list, counts once.
 *
 * @example
 * ```ts
 * statementShape("SELECT * FROM t WHERE id IN (1, 2, 3) AND name = 'x'"); // 'SELECT * FROM t WHERE id IN (?) AND name = ?'
 * ```
 */
export function statementShape(sql: string): string {
  let out = '';
  let gapFrom = 0;
  // Statements rehearsed are SQLite's: no E'…' strings, nested comments or dollar quotes.
  const tokens = new SqlTokenizer(sql, { escapeStrings: false, nestedComments: false, dollarQuotes: false });
  while (tokens.next()) {
    const { kind, start } = tokens;
    if (start > gapFrom && out !== '') out += ' ';
    if (kind === 'number' && sql[start - 1] === '-' && out.endsWith('-') && !/[\w$."]/.test(sql[start - 2] ?? '')) {
      // A sign that belongs to the number (`= -5`, not `a-5`) is part of the literal.
      out = out.slice(0, -1);
    }
    out += kind === 'string' || kind === 'number' || kind === 'param' ? '?' : tokens.text;
    gapFrom = tokens.end;
  }
  return out.replace(/\(\s*\?(?:\s*,\s*\?)+\s*\)/g, '(?)').replace(/\s*;$/, '');
}
