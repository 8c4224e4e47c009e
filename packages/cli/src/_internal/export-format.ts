import { exactTimestampText, exactJsonText, postgresTimestampText, quoteIdentifier, type DialectName, type Row } from '@switchyard/core';

/** The output formats of `switchyard export`. */
export type ExportFormat = 'sql' | 'jsonl' | 'csv';

function isBytes(value: unknown): value is Uint8Array {
  return value instanceof Uint8Array;
}

function hex(bytes: Uint8Array): string {
  return Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength).toString('hex');
}

// A timestamp as text the target reads back to the same microsecond: Postgres' own form
// (BC and five-digit years included), ISO-8601 UTC elsewhere.
function timestampText(value: Date, dialect: DialectName): string {
  return dialect === 'postgres' ? postgresTimestampText(value) : exactTimestampText(value);
}

// JSON documents keep the text they were read from when a double would round a number.
function jsonText(value: unknown): string {
  return exactJsonText(value);
}

/**
 * A value as a SQL literal that `dialect` reads back as the same value. ±Infinity is
 * `'Infinity'::float8` on Postgres and `9e999` on SQLite and D1 (which read it as
 * infinity); NaN is `'NaN'::float8` on Postgres and NULL elsewhere, which is what SQLite
 * stores for it.
 */
export function sqlLiteral(value: unknown, dialect: DialectName): string {
  if (value === null || value === undefined) return 'NULL';
  if (typeof value === 'number') {
    if (Object.is(value, -0)) return dialect === 'postgres' ? "'-0'::float8" : '-0.0';
    if (Number.isFinite(value)) return String(value);
    if (dialect === 'postgres') return `'${String(value)}'::float8`;
    return Number.isNaN(value) ? 'NULL' : value > 0 ? '9e999' : '-9e999';
  }
  if (typeof value === 'bigint') return value.toString();
  if (typeof value === 'boolean') return dialect === 'postgres' ? String(value).toUpperCase() : value ? '1' : '0';
  if (value instanceof Date) return `'${timestampText(value, dialect)}'`;
  if (isBytes(value)) return dialect === 'postgres' ? `'\\x${hex(value)}'::bytea` : `X'${hex(value)}'`;
  const text = typeof value === 'string' ? value : jsonText(value);
  return `'${text.replace(/'/g, "''")}'`;
}

/**
 * A value as JSON text for JSON lines: bigint as a string (JSON has no int64), bytes as
 * hex, dates as ISO-8601 UTC with their microseconds, ±Infinity and NaN as the strings
 * Postgres reads for them, JSON documents as the exact text they were read from.
 */
export function jsonValueText(value: unknown): string {
  if (value === null || value === undefined) return 'null';
  if (typeof value === 'number') return Object.is(value, -0) ? '-0' : Number.isFinite(value) ? JSON.stringify(value) : `"${String(value)}"`;
  if (typeof value === 'bigint') return `"${value.toString()}"`;
  if (isBytes(value)) return `"${hex(value)}"`;
  if (value instanceof Date) return `"${exactTimestampText(value)}"`;
  return typeof value === 'object' ? jsonText(value) : JSON.stringify(value);
}

/**
 * A CSV field as psql's CSV writes it: NULL is an empty unquoted field and the empty
 * string is `""`, so the two stay apart; bytes as `\x` hex; ±Infinity and NaN by name;
 * quoted when it holds a comma, quote or line break.
 */
export function csvField(value: unknown): string {
  if (value === null || value === undefined) return '';
  let text: string;
  if (isBytes(value)) text = '\\x' + hex(value);
  else if (value instanceof Date) text = postgresTimestampText(value);
  else if (typeof value === 'object') text = jsonText(value);
  else text = Object.is(value, -0) ? '-0' : String(value);
  if (text === '') return '""';
  return /[",\r\n]/.test(text) ? `"${text.replace(/"/g, '""')}"` : text;
}

/** Renders rows of one table in a format; `header` is written once before the first page. */
export function renderRows(
  format: ExportFormat,
  table: string,
  columns: readonly string[],
  rows: readonly Row[],
  dialect: DialectName,
): string {
  let out = '';
  for (const row of rows) {
    if (format === 'jsonl') {
      out += '{' + columns.map((c) => JSON.stringify(c) + ':' + jsonValueText(row[c])).join(',') + '}\n';
    } else if (format === 'csv') {
      out += columns.map((c) => csvField(row[c])).join(',') + '\r\n';
    } else {
      out += `INSERT INTO ${quoteIdentifier(table)} (${columns.map(quoteIdentifier).join(', ')}) VALUES (${columns
        .map((c) => sqlLiteral(row[c], dialect))
        .join(', ')});\n`;
    }
  }
  return out;
}

/** What comes before the rows: the CSV header line. */
export function renderHeader(format: ExportFormat, columns: readonly string[]): string {
  return format === 'csv' ? columns.map(csvField).join(',') + '\r\n' : '';
}
