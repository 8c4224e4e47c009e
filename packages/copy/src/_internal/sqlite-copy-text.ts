import type { ColumnInfo, TableInfo } from '@switchyard/core';
import type { KeyValues } from './key-codec';
import { keyTuple, placeholderTuple, quoteIdent, tableRef } from './sql-text';

/** A page already rendered in COPY's text format, with what the checkpoint needs. */
export interface CopyText {
  text: string;
  count: number;
  lastKey: KeyValues | null;
}

interface RawStatement {
  raw(toggle?: boolean): RawStatement;
  safeIntegers(toggle?: boolean): RawStatement;
  get(...params: unknown[]): unknown;
  all(...params: unknown[]): unknown[];
}
export interface RawSqlite {
  prepare(sql: string): RawStatement;
}

const esc = (x: string): string =>
  `replace(replace(replace(replace(${x}, '\\', '\\\\'), char(9), '\\t'), char(10), '\\n'), char(13), '\\r')`;

/**
 * One column of a COPY text line, rendered by SQLite itself: the same conversions the
 * row-by-row path makes in JavaScript (1/0 to t/f, epoch numbers and zoneless datetime
 * text to UTC instants, JSON text checked, blobs to `\x` hex, backslash escapes), done in
 * C inside the query, so a page reaches JavaScript as one string instead of thousands of
 * row arrays to allocate, convert and collect.
 */
export function copyTextExpression(column: string, target: ColumnInfo): string {
  const c = quoteIdent(column);
  const orNull = (expr: string) => `CASE WHEN ${c} IS NULL THEN '\\N' ELSE ${expr} END`;
  switch (target.logicalType) {
    case 'boolean':
      return `CASE WHEN ${c} IS NULL THEN '\\N' WHEN ${c} IN (1, '1', '1.0', 't', 'true', 'TRUE', 'True') THEN 't' ` +
        `WHEN ${c} IN (0, '0', '0.0', 'f', 'false', 'FALSE', 'False') THEN 'f' ELSE ${esc(`CAST(${c} AS TEXT)`)} END`;
    case 'blob':
      return orNull(`'\\\\x' || hex(${c})`);
    case 'json':
      return orNull(`CASE WHEN json_valid(${c}) THEN ${esc(`CAST(${c} AS TEXT)`)} ELSE ${esc(`json_quote(${c})`)} END`);
    case 'integer':
      return orNull(`CASE WHEN typeof(${c}) = 'real' AND ${c} = CAST(${c} AS INTEGER) THEN CAST(CAST(${c} AS INTEGER) AS TEXT) ELSE ${esc(`CAST(${c} AS TEXT)`)} END`);
    case 'timestamp':
      if (/^date$/i.test(target.declaredType.trim())) return orNull(esc(`CAST(${c} AS TEXT)`));
      // Epoch seconds below 1e11, milliseconds above; zoneless text is UTC (as datetime('now') writes it).
      return `CASE WHEN ${c} IS NULL THEN '\\N' ` +
        `WHEN typeof(${c}) IN ('integer', 'real') OR (${c} <> '' AND ${c} NOT GLOB '*[^0-9.+-]*') THEN ` +
        `strftime('%Y-%m-%dT%H:%M:%fZ', CASE WHEN abs(${c}) < 1e11 THEN CAST(${c} AS REAL) ELSE CAST(${c} AS REAL) / 1000.0 END, 'unixepoch') ` +
        `WHEN length(${c}) = 10 THEN ${c} || ' 00:00:00Z' ` +
        `WHEN ${c} GLOB '*[Zz]' OR substr(${c}, 11) GLOB '*[+-][0-9][0-9]' OR substr(${c}, 11) GLOB '*[+-][0-9][0-9][0-9][0-9]' ` +
        `OR substr(${c}, 11) GLOB '*[+-][0-9][0-9]:[0-9][0-9]' THEN ${esc(c)} ELSE ${esc(c)} || 'Z' END`;
    default:
      return orNull(esc(`CAST(${c} AS TEXT)`));
  }
}

/**
 * True when this SQLite renders floating-point values as the shortest text that reads
 * back as the same double (as JavaScript does); older versions print 15 digits, which
 * would change values, so the JavaScript path is used there.
 */
export function rendersExactFloats(db: RawSqlite): boolean {
  try {
    const row = db.prepare("SELECT CAST(1.0 / 7 AS TEXT) AS t, json_valid('{}') AS j").get() as { t: string; j: number };
    return row.t === String(1 / 7) && row.j === 1;
  } catch {
    return false;
  }
}

/** Reads pages of a SQLite table as COPY text: `(source column, target column)` pairs in COPY column order. */
export function createCopyTextReader(
  db: RawSqlite,
  table: TableInfo,
  pairs: readonly { source: string; target: ColumnInfo }[],
  pageSize: number,
): (after: KeyValues | null, end: KeyValues | null) => Promise<CopyText> {
  const pk = table.primaryKey;
  const key = keyTuple(pk);
  const holes = placeholderTuple(pk.length);
  const line = pairs.map((p) => copyTextExpression(p.source, p.target)).join(" || char(9) || ");
  const keys = pk.map(quoteIdent).join(', ');
  const desc = pk.map((k) => `${quoteIdent(k)} DESC`).join(', ');
  const sqlFor = (after: boolean, end: boolean): string => {
    const where = [after ? `${key} > ${holes}` : '', end ? `${key} <= ${holes}` : ''].filter(Boolean);
    return (
      `WITH page AS MATERIALIZED (SELECT ${keys}, ${line} AS sy_line FROM ${tableRef(table, 'sqlite')}` +
      (where.length ? ' WHERE ' + where.join(' AND ') : '') +
      ` ORDER BY ${keys} LIMIT ${pageSize}) ` +
      `SELECT (SELECT count(*) FROM page) AS n, (SELECT group_concat(sy_line, char(10)) FROM page) AS body, ` +
      `last.* FROM (SELECT 1) LEFT JOIN (SELECT ${keys} FROM page ORDER BY ${desc} LIMIT 1) AS last`
    );
  };
  const statements = [sqlFor(false, false), sqlFor(true, false), sqlFor(false, true), sqlFor(true, true)].map((sql) =>
    db.prepare(sql).safeIntegers(true).raw(true),
  );
  return async (after, end) => {
    const params = [...(after ?? []), ...(end ?? [])].map((v) => (typeof v === 'boolean' ? (v ? 1 : 0) : v instanceof Date ? v.toISOString() : v));
    const row = statements[(after ? 1 : 0) + (end ? 2 : 0)]!.get(...params) as unknown[];
    const count = Number(row[0]);
    if (count === 0) return { text: '', count: 0, lastKey: null };
    const lastKey = row.slice(2).map((v) => (typeof v === 'bigint' && v <= MAX_SAFE && v >= MIN_SAFE ? Number(v) : v));
    return { text: String(row[1]) + '\n', count, lastKey };
  };
}

const MAX_SAFE = BigInt(Number.MAX_SAFE_INTEGER);
const MIN_SAFE = BigInt(Number.MIN_SAFE_INTEGER);
