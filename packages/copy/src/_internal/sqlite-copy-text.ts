import {
  isZonelessTimestamp,
  numericScaleOf,
  timestampPrecisionOf,
  qualifiedTableName,
  quoteIdentifier,
  storedTypeOf,
  TIME_WORDS,
  type ColumnInfo,
  type SqliteNativeDatabase,
  type TableInfo,
} from '@switchyard/core';
import type { KeyValues } from './key-codec';
import { keyTuple, placeholderTuple } from './sql-text';

/** A page already rendered in COPY's text format, with what the checkpoint needs. */
export interface CopyText {
  text: string;
  count: number;
  lastKey: KeyValues | null;
}

// Most values need no escaping: one GLOB scan (its class holds a backslash, tab, newline
// and carriage return, written literally) decides, and only those that do pay for replace().
const NEEDS_ESCAPE = "'*[\\\t\n\r]*'";
const esc = (x: string): string =>
  `CASE WHEN ${x} GLOB ${NEEDS_ESCAPE} THEN replace(replace(replace(replace(${x}, '\\', '\\\\'), char(9), '\\t'), char(10), '\\n'), char(13), '\\r') ELSE ${x} END`;

/**
 * One column of a COPY text line, rendered by SQLite itself: the same conversions the
 * row-by-row path makes in JavaScript (1/0 to t/f, epoch numbers and zoneless datetime
 * text to UTC instants, JSON text checked, blobs to `\x` hex, backslash escapes), done in
 * C inside the query, so a page reaches JavaScript as one string instead of thousands of
 * row arrays to allocate, convert and collect.
 */
export function copyTextExpression(column: string, target: ColumnInfo): string {
  const c = quoteIdentifier(column);
  // `CASE typeof(c)` first: numbers need neither escaping nor a second look.
  const text = esc(`CAST(${c} AS TEXT)`);
  switch (target.logicalType) {
    case 'boolean':
      // Anything else (2, 'yes') goes the row way, where the converter holds it back by row.
      return (
        `CASE ${c} WHEN 1 THEN 't' WHEN 0 THEN 'f' ELSE CASE WHEN ${c} IS NULL THEN '\\N' ` +
        `WHEN typeof(${c}) = 'text' AND lower(trim(${c})) IN ('1', 't', 'true') THEN 't' ` +
        `WHEN typeof(${c}) = 'text' AND lower(trim(${c})) IN ('0', 'f', 'false') THEN 'f' ELSE char(1) END END`
      );
    case 'blob':
      return `CASE WHEN ${c} IS NULL THEN '\\N' ELSE '\\\\x' || hex(${c}) END`;
    case 'json':
      // A blob goes the row way, where the converter reads it as the text its bytes spell.
      return `CASE WHEN ${c} IS NULL THEN '\\N' WHEN typeof(${c}) = 'blob' THEN char(1) WHEN json_valid(${c}) THEN ${text} ELSE ${esc(`json_quote(${c})`)} END`;
    case 'integer':
      return (
        `CASE typeof(${c}) WHEN 'integer' THEN CAST(${c} AS TEXT) WHEN 'null' THEN '\\N' ` +
        `WHEN 'real' THEN CASE WHEN ${c} = CAST(${c} AS INTEGER) THEN CAST(CAST(${c} AS INTEGER) AS TEXT) ELSE CAST(${c} AS TEXT) END ELSE ${text} END`
      );
    case 'numeric': {
      // A number with more fraction digits than a numeric(p, s) keeps goes the row way, where
      // the converter holds it back by row instead of letting Postgres round it.
      const scale = numericScaleOf(target);
      if (scale !== undefined)
        return `CASE WHEN ${c} IS NULL THEN '\\N' WHEN ${withinScale(c, scale)} THEN CAST(${c} AS TEXT) ELSE char(1) END`;
      return numberText(c, text);
    }
    case 'real':
      return numberText(c, text);
    case 'timestamp':
      // A date alone as it is; datetime text (a time of day Postgres would drop) the row way,
      // where the converter keeps midnight's date and holds any other time back.
      if (/^date$/i.test(storedTypeOf(target)))
        return `CASE WHEN ${c} IS NULL THEN '\\N' WHEN typeof(${c}) = 'text' AND ${c} GLOB '${DATE}[ T]*' THEN char(1) ELSE ${text} END`;
      // The same rules as the JavaScript converter: a date alone is midnight UTC, zoneless
      // datetime text is UTC (as datetime('now') writes it), a plain number is epoch seconds
      // below 1e11 and milliseconds above. Text with any other character is escaped like
      // any text, so no value can end the line or the field early.
      // One scan first: text made only of timestamp characters needs no escaping, and
      // the common ISO text ending in Z goes through as it is.
      // strftime answers NULL for an instant it cannot render (epoch milliseconds past year
      // 9999), and one NULL field would make the whole line NULL, which group_concat skips:
      // the row would be lost. Such a field is char(1) instead, and its page goes the row way.
      // So is text with an offset bound for a timestamp without time zone, which would keep
      // its wall time and drop the offset: the converter writes the instant's UTC wall time.
      return heldOverPrecision(
        c,
        timestampPrecisionOf(target),
        `coalesce(CASE typeof(${c}) WHEN 'null' THEN '\\N' ` +
          `WHEN 'text' THEN CASE WHEN ${c} GLOB '*[^0-9:.TZz +-]*' THEN ${text} ` +
          `WHEN substr(${c}, -1) IN ('Z', 'z') THEN ${c} ` +
          `WHEN ${c} GLOB '${DATE}' THEN ${c} || ' 00:00:00Z' ` +
          `WHEN ${zonelessDatetime(c)} THEN ${c} || 'Z' ` +
          `WHEN ${numericText(c)} THEN ${epoch(c)} ELSE ${isZonelessTimestamp(target) ? 'char(1)' : c} END ` +
          `WHEN 'integer' THEN ${epoch(c)} WHEN 'real' THEN ${epoch(c)} ELSE ${text} END, char(1))`,
      );
    default:
      // A blob here is text only when its bytes are UTF-8: char(1) sends its page the row way, where the converter decides.
      return `CASE typeof(${c}) WHEN 'null' THEN '\\N' WHEN 'blob' THEN char(1) ELSE ${text} END`;
  }
}

const DATE = '[0-9][0-9][0-9][0-9]-[0-9][0-9]-[0-9][0-9]';

function numberText(c: string, text: string): string {
  return `CASE typeof(${c}) WHEN 'real' THEN CAST(${c} AS TEXT) WHEN 'integer' THEN CAST(${c} AS TEXT) WHEN 'null' THEN '\\N' ELSE ${text} END`;
}

/**
 * `rendered`, or char(1) for a value that may hold more fractional-second digits than a
 * `timestamp(p)` keeps (text with more digits after its point, or an epoch number where p
 * is below milliseconds): its page goes the row way, where the converter holds it back.
 */
function heldOverPrecision(c: string, precision: number | undefined, rendered: string): string {
  if (precision === undefined) return rendered;
  const fraction = `substr(${c}, instr(${c}, '.') + 1)`;
  const digits = `rtrim(substr(${fraction}, 1, length(${fraction}) - length(ltrim(${fraction}, '0123456789'))), '0')`;
  const text = `(typeof(${c}) = 'text' AND instr(${c}, '.') > 0 AND length(${digits}) > ${precision})`;
  return `CASE WHEN ${precision < 3 ? `typeof(${c}) IN ('integer', 'real') OR ` : ''}${text} THEN char(1) ELSE ${rendered} END`;
}

/** A number, or plain decimal text, that needs no more than `scale` fraction digits (no exponent, no other character). */
function withinScale(c: string, scale: number): string {
  const t = `CAST(${c} AS TEXT)`;
  const fraction = `rtrim(substr(${t}, instr(${t}, '.') + 1), '0')`;
  const digits = `(${t} NOT GLOB '*[^0-9.+-]*' AND ${t} GLOB '*[0-9]*')`;
  if (scale < 0) return `(typeof(${c}) = 'integer' AND ${c} = 0)`;
  return `(typeof(${c}) IN ('integer', 'real', 'text') AND ${digits} AND (instr(${t}, '.') = 0 OR length(${fraction}) <= ${scale}))`;
}
const MINUTES = `${DATE}[ T][0-9][0-9]:[0-9][0-9]`;

/** `YYYY-MM-DD HH:MM[:SS[.fff]]` with no zone and nothing else. */
function zonelessDatetime(c: string): string {
  return (
    `(${c} GLOB '${MINUTES}' OR ${c} GLOB '${MINUTES}:[0-9][0-9]' OR ` +
    `(${c} GLOB '${MINUTES}:[0-9][0-9].[0-9]*' AND substr(${c}, 21) NOT GLOB '*[^0-9]*'))`
  );
}

/** `[+-]digits[.digits]`, as the JavaScript converter's epoch test (a date like 2024-03-05 is not a number). */
function numericText(c: string): string {
  const s = `(CASE WHEN substr(${c}, 1, 1) IN ('+', '-') THEN substr(${c}, 2) ELSE ${c} END)`;
  return `(${s} GLOB '[0-9]*' AND ${s} NOT GLOB '*[^0-9.]*' AND ${s} NOT GLOB '*.*.*' AND ${s} NOT GLOB '*.')`;
}

/** Epoch seconds or milliseconds as ISO text; a Postgres infinity (SQLite holds it as a REAL ±Inf) as its own word. */
function epoch(c: string): string {
  return `CASE WHEN ${c} = 9e999 THEN 'infinity' WHEN ${c} = -9e999 THEN '-infinity' ELSE strftime('%Y-%m-%dT%H:%M:%fZ', CASE WHEN abs(${c}) < 1e11 THEN CAST(${c} AS REAL) ELSE CAST(${c} AS REAL) / 1000.0 END, 'unixepoch') END`;
}

/**
 * True when a page holds a field SQLite cannot render as Postgres reads it: text starting
 * with an ISO signed six-digit year ('+010000-…', a Date past 9999 stored as text), which
 * the JavaScript converter turns into a date Postgres reads; text starting with a word
 * Postgres reads as a moment of its own ('now', core's `timeWordOf`), which the converter
 * refuses, naming the row; a timestamp SQLite could not render, or a blob bound for text
 * (char(1)). Such a page
 * goes the row way; the same text in a column that is not a timestamp only costs that
 * page the slower path.
 */
export function needsRowPath(text: string): boolean {
  return ROW_PATH.test(text);
}
const ROW_PATH = new RegExp(`(?:^|\\t)(?:\\x01|[+-]\\d{6}-| *(?:${TIME_WORDS.join('|')})(?= |\\t|$))`, 'im');

/**
 * True when this SQLite renders floating-point values as the shortest text that reads
 * back as the same double (as JavaScript does); older versions print 15 digits, which
 * would change values, so the JavaScript path is used there.
 */
export function rendersExactFloats(db: SqliteNativeDatabase): boolean {
  try {
    const row = db.prepare("SELECT CAST(1.0 / 7 AS TEXT) AS t, json_valid('{}') AS j").get() as { t: string; j: number };
    return row.t === String(1 / 7) && row.j === 1;
  } catch {
    return false;
  }
}

/** Reads pages of a SQLite table as COPY text: `(source column, target column)` pairs in COPY column order. */
export function createCopyTextReader(
  db: SqliteNativeDatabase,
  table: TableInfo,
  pairs: readonly { source: string; target: ColumnInfo }[],
  pageSize: number,
): (after: KeyValues | null, end: KeyValues | null) => Promise<CopyText> {
  const pk = table.primaryKey;
  const key = keyTuple(pk);
  const holes = placeholderTuple(pk.length);
  const chunk = Math.min(pageSize, 500);
  const line = pairs.map((p) => copyTextExpression(p.source, p.target)).join(' || char(9) || ');
  const keys = pk.map(quoteIdentifier).join(', ');
  const desc = pk.map((k) => `${quoteIdentifier(k)} DESC`).join(', ');
  const sqlFor = (after: boolean, end: boolean): string => {
    const where = [after ? `${key} > ${holes}` : '', end ? `${key} <= ${holes}` : ''].filter(Boolean);
    const page =
      `SELECT ${keys}, ${line} AS sy_line FROM ${qualifiedTableName(table, 'sqlite')}` +
      (where.length ? ' WHERE ' + where.join(' AND ') : '') +
      ` ORDER BY ${keys} LIMIT ${chunk}`;
    // One key column: its max is the last key, all in one pass over the page.
    if (pk.length === 1) return `SELECT count(*) AS n, group_concat(sy_line, char(10)) AS body, max(${keys}) FROM (${page})`;
    return (
      `WITH page AS MATERIALIZED (${page}) ` +
      `SELECT (SELECT count(*) FROM page) AS n, (SELECT group_concat(sy_line, char(10)) FROM page) AS body, ` +
      `last.* FROM (SELECT 1) LEFT JOIN (SELECT ${keys} FROM page ORDER BY ${desc} LIMIT 1) AS last`
    );
  };
  const statements = [sqlFor(false, false), sqlFor(true, false), sqlFor(false, true), sqlFor(true, true)].map((sql) =>
    db.prepare(sql).safeIntegers(true).raw(true),
  );
  const pieces = Math.ceil(pageSize / chunk);
  return async (after, end) => {
    // The page is rendered in pieces with a turn of the event loop between them: SQLite
    // runs synchronously, and the previous page still has to reach Postgres meanwhile.
    const texts: string[] = [];
    let count = 0;
    let from = after;
    for (let i = 0; i < pieces; i++) {
      if (i > 0) await new Promise((resolve) => setImmediate(resolve));
      const params = [...(from ?? []), ...(end ?? [])].map((v) =>
        typeof v === 'boolean' ? (v ? 1 : 0) : v instanceof Date ? v.toISOString() : v,
      );
      const row = statements[(from ? 1 : 0) + (end ? 2 : 0)]!.get(...params) as unknown[];
      const n = Number(row[0]);
      if (n === 0) break;
      texts.push(String(row[1]) + '\n');
      count += n;
      from = row.slice(2).map((v) => (typeof v === 'bigint' && v <= MAX_SAFE && v >= MIN_SAFE ? Number(v) : v));
      if (n < chunk) break;
    }
    return { text: texts.join(''), count, lastKey: count > 0 ? from : null };
  };
}

const MAX_SAFE = BigInt(Number.MAX_SAFE_INTEGER);
const MIN_SAFE = BigInt(Number.MIN_SAFE_INTEGER);
