// The pieces of SQL text that hide `?` and `;`: literals, quoted identifiers, comments.

/** True for a character that can continue an identifier. */
export function isIdentChar(c: string | undefined): boolean {
  return c !== undefined && /[A-Za-z0-9_$]/.test(c);
}

/** The index just past a quoted literal or identifier that starts at `start`. */
export function skipQuoted(sql: string, start: number, quote: string, backslashEscapes: boolean): number {
  let i = start + 1;
  while (i < sql.length) {
    const c = sql[i];
    if (backslashEscapes && c === '\\') {
      i += 2;
    } else if (c === quote) {
      if (sql[i + 1] === quote) i += 2;
      else return i + 1;
    } else {
      i++;
    }
  }
  return sql.length;
}

/** The index just past a (nested) block comment that starts at `start`. */
export function skipBlockComment(sql: string, start: number): number {
  let depth = 0;
  let i = start;
  while (i < sql.length) {
    if (sql[i] === '/' && sql[i + 1] === '*') {
      depth++;
      i += 2;
    } else if (sql[i] === '*' && sql[i + 1] === '/') {
      depth--;
      i += 2;
      if (depth === 0) return i;
    } else {
      i++;
    }
  }
  return sql.length;
}

/**
 * Splits a script into statements at each `;` outside literals, quoted identifiers and
 * comments; empty statements are left out, and each keeps its own text, trimmed.
 */
export function splitStatements(script: string): string[] {
  const out: string[] = [];
  let start = 0;
  let i = 0;
  const push = (end: number) => {
    const text = script.slice(start, end).trim();
    if (text !== '') out.push(text);
  };
  while (i < script.length) {
    const c = script[i]!;
    if (c === "'" || c === '"' || c === '`') i = skipQuoted(script, i, c, false);
    else if (c === '-' && script[i + 1] === '-') {
      const end = script.indexOf('\n', i + 2);
      i = end === -1 ? script.length : end + 1;
    } else if (c === '/' && script[i + 1] === '*') i = skipBlockComment(script, i);
    else if (c === ';') {
      push(i);
      start = ++i;
    } else i++;
  }
  push(script.length);
  return out;
}
