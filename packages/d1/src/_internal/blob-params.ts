import { SqlTokenizer, toHex } from '@switchyard/core';

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
 * skipping string literals, quoted identifiers and comments, as SQLite reads them.
 */
function wrapPlaceholders(sql: string, isBytes: (index: number) => boolean): string {
  let out = '';
  let copied = 0;
  const tokens = new SqlTokenizer(sql, { escapeStrings: false, nestedComments: false, dollarQuotes: false });
  while (tokens.next()) {
    if (tokens.kind !== 'param' || sql[tokens.start] !== '?' || !isBytes(tokens.param - 1)) continue;
    out += sql.slice(copied, tokens.start) + `unhex(${tokens.text})`;
    copied = tokens.end;
  }
  return out + sql.slice(copied);
}
