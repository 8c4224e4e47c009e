const HEX = Array.from({ length: 256 }, (_, i) => i.toString(16).padStart(2, '0'));

/**
 * Makes a statement's parameters JSON-safe for the REST API. JSON has no bytes, so each
 * `Uint8Array` is sent as hex text and its placeholder becomes `unhex(?)`: the value is
 * stored as a real BLOB, exactly, and the SQL text grows by a few bytes only.
 */
export function bytesAsHexParams(sql: string, params: readonly unknown[]): { sql: string; params: unknown[] } {
  if (!params.some((p) => p instanceof Uint8Array)) return { sql, params: params as unknown[] };
  const out = params.map((p) => (p instanceof Uint8Array ? toHex(p) : p));
  const isBytes = (index: number) => params[index] instanceof Uint8Array;
  return { sql: wrapPlaceholders(sql, isBytes), params: out };
}

/**
 * Wraps `?` and `?NNN` placeholders whose parameter (0-based) is bytes in `unhex(...)`,
 * skipping string literals, quoted identifiers and comments.
 */
function wrapPlaceholders(sql: string, isBytes: (index: number) => boolean): string {
  let out = '';
  let copied = 0;
  let next = 0;
  let i = 0;
  while (i < sql.length) {
    const c = sql[i]!;
    if (c === "'" || c === '"' || c === '`') {
      i = skipQuoted(sql, i, c);
    } else if (c === '[') {
      const end = sql.indexOf(']', i + 1);
      i = end === -1 ? sql.length : end + 1;
    } else if (c === '-' && sql[i + 1] === '-') {
      const end = sql.indexOf('\n', i + 2);
      i = end === -1 ? sql.length : end + 1;
    } else if (c === '/' && sql[i + 1] === '*') {
      const end = sql.indexOf('*/', i + 2);
      i = end === -1 ? sql.length : end + 2;
    } else if (c === '?') {
      const digits = /^\d+/.exec(sql.slice(i + 1, i + 8))?.[0] ?? '';
      // `?NNN` names parameter NNN; a bare `?` takes the one after the largest used so far.
      const index = digits ? Number(digits) - 1 : next;
      next = Math.max(next, index + 1);
      const end = i + 1 + digits.length;
      if (isBytes(index)) {
        out += sql.slice(copied, i) + `unhex(${sql.slice(i, end)})`;
        copied = end;
      }
      i = end;
    } else {
      i++;
    }
  }
  return out + sql.slice(copied);
}

function skipQuoted(sql: string, start: number, quote: string): number {
  let i = start + 1;
  while (i < sql.length) {
    if (sql[i] === quote) {
      if (sql[i + 1] === quote) i += 2;
      else return i + 1;
    } else {
      i++;
    }
  }
  return sql.length;
}

function toHex(bytes: Uint8Array): string {
  let s = '';
  for (let i = 0; i < bytes.length; i++) s += HEX[bytes[i]!];
  return s;
}
