import { isArrayColumn, parsePgArray, quoteLiteral, type ColumnInfo, type DialectName } from '@switchyard/core';
import { clockTextDefault } from './clock-text-defaults';

/**
 * The current time as SQLite and D1 hold a copied timestamp: ISO 8601 in UTC with a `T`
 * and a `Z` (to the millisecond), as the copy and the dual write write a Postgres
 * `timestamptz`. `CURRENT_TIMESTAMP` writes `YYYY-MM-DD HH:MM:SS`, which sorts before
 * every copied value of the same day, so `ORDER BY created_at` would put a new row before older ones.
 */
const ISO_NOW = "strftime('%Y-%m-%dT%H:%M:%fZ', 'now')";

/**
 * A default expression in the target's dialect, or `undefined` with a reason (`warning`)
 * when it has no equivalent; `note` says how a translated one differs.
 */
export function translateDefault(
  expression: string,
  column: ColumnInfo,
  from: DialectName,
  to: DialectName,
): { sql?: string; warning?: string; note?: string } {
  let e = expression.trim();
  while (/^\(.*\)$/s.test(e) && balanced(e.slice(1, -1))) e = e.slice(1, -1).trim();
  const toPg = to === 'postgres';
  const fromPg = from === 'postgres';
  if (fromPg === toPg) return { sql: expression };
  if (/^null$/i.test(e)) return { sql: 'NULL' };
  let castTo = '';
  if (fromPg) {
    if (/^nextval\(/i.test(e)) return {}; // the identity/autoincrement column covers it
    // ('now'::text)::date -> 'now' cast to date; 'x'::text -> 'x'.
    for (let m = /::([a-z_ ]+)(\[\])?(\(\d+(,\d+)?\))?$/i.exec(e); m; m = /::([a-z_ ]+)(\[\])?(\(\d+(,\d+)?\))?$/i.exec(e)) {
      if (!castTo) castTo = m[1]!.trim().toLowerCase();
      e = e.slice(0, m.index).trim();
      while (/^\(.*\)$/s.test(e) && balanced(e.slice(1, -1))) e = e.slice(1, -1).trim();
    }
  }
  const lower = e.toLowerCase();
  // 'now' (a Postgres input string evaluated at insert), now() AT TIME ZONE 'utc', timezone('utc', now()).
  if (
    fromPg &&
    (lower === "'now'" ||
      /^now\(\)(::date)?$/.test(lower) ||
      /^(now\(\)|current_timestamp) at time zone 'utc'$/.test(lower) ||
      /^timezone\('utc'::text, now\(\)\)$/.test(lower) ||
      /^timezone\('utc', now\(\)\)$/.test(lower))
  ) {
    const declared = column.declaredType.trim().toLowerCase();
    if (castTo === 'date' || declared === 'date') return { sql: 'CURRENT_DATE' };
    const time = [castTo, declared].some((t) => /^time(\(\d\))?( with(out)? time zone)?$/.test(t));
    return { sql: time ? 'CURRENT_TIME' : ISO_NOW };
  }
  if (!fromPg && toPg && column.logicalType === 'timestamp') {
    const word = /^'\s*(now|today|tomorrow|yesterday)\s*'$/.exec(lower)?.[1];
    if (word) return timeWordDefault(expression, word, column);
  }
  if (!fromPg && /^(?:strftime\s*\(\s*'%s'\s*,\s*'now'\s*\)|unixepoch\s*\(\s*(?:'now'\s*)?\))$/.test(lower))
    return { sql: 'floor(extract(epoch from now()))::bigint' };
  // A text column keeps SQLite's text: Postgres's now() as text is another form.
  const clock = toPg && column.logicalType === 'text' ? clockTextDefault(e) : undefined;
  if (clock) return { sql: clock };
  // Current time, in each engine's words.
  if (
    /^(current_timestamp|now\(\)|localtimestamp|transaction_timestamp\(\)|statement_timestamp\(\)|clock_timestamp\(\))$/.test(lower) ||
    /^datetime\s*\(\s*'now'\s*\)$/.test(lower) ||
    /^strftime\s*\(\s*'%y-%m-%d[ t]%h:%m:%[sf]z?'\s*,\s*'now'\s*\)$/.test(lower)
  ) {
    if (!toPg) return { sql: ISO_NOW };
    return { sql: lower.startsWith('datetime') || lower.startsWith('strftime') ? 'now()' : 'CURRENT_TIMESTAMP' };
  }
  if (/^(current_date|date\s*\(\s*'now'\s*\))$/.test(lower)) return { sql: 'CURRENT_DATE' };
  if (/^(current_time|time\s*\(\s*'now'\s*\))$/.test(lower)) return { sql: 'CURRENT_TIME' };
  if (column.logicalType === 'boolean') {
    if (/^(1|'1'|true|'true'|'t')$/.test(lower)) return { sql: toPg ? 'true' : '1' };
    if (/^(0|'0'|false|'false'|'f')$/.test(lower)) return { sql: toPg ? 'false' : '0' };
  }
  // SQLite reads TRUE and FALSE as 1 and 0 (Drizzle writes `integer … DEFAULT false` for a
  // boolean-mode column); Postgres takes them for booleans alone and refused the table.
  if (!fromPg && (lower === 'true' || lower === 'false')) return { sql: lower === 'true' ? '1' : '0' };
  if (/^[+-]?\d+(\.\d+)?([eE][+-]?\d+)?$/.test(e)) return { sql: e };
  if (fromPg && isArrayColumn(column) && /^'\{([^']|'')*\}'$/.test(e)) return { sql: jsonArrayDefault(e, column) };
  if (/^'([^']|'')*'$/.test(e)) return { sql: e };
  if (/^x'[0-9a-f]*'$/i.test(e) && toPg) return { sql: `'\\x${e.slice(2, -1)}'::bytea` };
  if (/^'\\x[0-9a-f]*'$/i.test(e) && !toPg) return { sql: `X'${e.slice(3, -1)}'` };
  if (/^(true|false)$/.test(lower)) return { sql: toPg ? lower : lower === 'true' ? '1' : '0' };
  return {
    warning: `default ${expression} has no ${toPg ? 'Postgres' : 'SQLite'} equivalent and was left out; set it on the new table by hand`,
  };
}

/**
 * SQLite stores `DEFAULT 'now'` as the text 'now' in each row it fills. Postgres reads the
 * word once, when the table is created, so every row would get that moment: the clock is
 * asked at each insert instead, which is what the default was written for.
 */
function timeWordDefault(expression: string, word: string, column: ColumnInfo): { sql?: string; warning?: string; note?: string } {
  const declared = column.declaredType.trim().toLowerCase();
  const why = `SQLite stores default ${expression} as that text in each row, and on Postgres the word would be read once, when the table is created`;
  if (/^time\b/.test(declared)) {
    if (word !== 'now') return { warning: `${why}; it was left out, set it on the new table by hand` };
    return { sql: 'CURRENT_TIME', note: `${why}: it is CURRENT_TIME` };
  }
  const day = { now: 'CURRENT_DATE', today: 'CURRENT_DATE', tomorrow: '(CURRENT_DATE + 1)', yesterday: '(CURRENT_DATE - 1)' }[word]!;
  const sql = word === 'now' && declared !== 'date' ? 'CURRENT_TIMESTAMP' : day;
  return {
    sql,
    note: `${why}: it is ${sql}. Rows that hold the word are refused by copyTables and by dual write; set them, and the SQLite default (CURRENT_TIMESTAMP), at the source`,
  };
}

function balanced(s: string): boolean {
  let depth = 0;
  for (const ch of s) {
    if (ch === '(') depth++;
    else if (ch === ')' && --depth < 0) return false;
  }
  return depth === 0;
}

/**
 * A Postgres array literal default (`'{}'::text[]`, `'{a,"b c"}'`) as the JSON array text
 * SQLite and D1 hold arrays as (`'[]'`, `'["a","b c"]'`), as copied rows hold them: integers
 * and floats as JSON numbers (to the digit), `numeric` as strings to its scale, booleans as
 * JSON's, everything else as strings.
 */
function jsonArrayDefault(literal: string, column: ColumnInfo): string {
  const element = column.declaredType.trim().slice(0, -2).toLowerCase();
  const scale = /^(?:numeric|decimal)\(\s*\d+\s*,\s*(\d+)\s*\)/.exec(element)?.[1];
  const kind = /^(smallint|integer|bigint|int[248]?|real|double precision|float[48]?)\b/.test(element)
    ? 'number'
    : /^(numeric|decimal)\b/.test(element)
      ? 'decimal'
      : /^bool(ean)?$/.test(element)
        ? 'boolean'
        : 'text';
  const json = (text: string): string => {
    if (kind === 'number' && /^-?\d+(\.\d+)?([eE][+-]?\d+)?$/.test(text)) return text;
    if (kind === 'boolean') return String(text === 't' || text === 'true');
    if (kind === 'decimal' && scale !== undefined) return JSON.stringify(toScale(text, Number(scale)));
    return JSON.stringify(text);
  };
  const list = (items: unknown[]): string =>
    '[' + items.map((v) => (Array.isArray(v) ? list(v) : v === null ? 'null' : (v as string))).join(',') + ']';
  const text = list(parsePgArray(literal.slice(1, -1).replaceAll("''", "'"), json));
  return quoteLiteral(text);
}

/** A decimal's text with `scale` places, as Postgres stores it in a `numeric(p, scale)` (padded; more places kept). */
function toScale(text: string, scale: number): string {
  if (!/^-?\d+(\.\d*)?$/.test(text)) return text;
  const [whole, places = ''] = text.split('.');
  if (places.length > scale) return text;
  return scale === 0 ? whole! : `${whole}.${places.padEnd(scale, '0')}`;
}
