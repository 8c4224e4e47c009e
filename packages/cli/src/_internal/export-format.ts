import { quoteIdentifier as quoteIdent, type DialectName, type Row } from '@switchyard/core';

/** The output formats of `switchyard export`. */
export type ExportFormat = 'sql' | 'jsonl' | 'csv';

function isBytes(value: unknown): value is Uint8Array {
  return value instanceof Uint8Array;
}

function hex(bytes: Uint8Array): string {
  return Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength).toString('hex');
}

/** A value as a SQL literal that `dialect` reads back as the same value. */
export function sqlLiteral(value: unknown, dialect: DialectName): string {
  if (value === null || value === undefined) return 'NULL';
  if (typeof value === 'number') return Number.isFinite(value) ? String(value) : 'NULL';
  if (typeof value === 'bigint') return value.toString();
  if (typeof value === 'boolean') return dialect === 'postgres' ? String(value).toUpperCase() : value ? '1' : '0';
  if (value instanceof Date) return `'${value.toISOString()}'`;
  if (isBytes(value)) return dialect === 'postgres' ? `'\\x${hex(value)}'::bytea` : `X'${hex(value)}'`;
  const text = typeof value === 'string' ? value : JSON.stringify(value);
  return `'${text.replace(/'/g, "''")}'`;
}

/** A value for JSON lines: bigint as a string (JSON has no int64), bytes as hex, dates as ISO. */
export function jsonValue(value: unknown): unknown {
  if (typeof value === 'bigint') return value.toString();
  if (isBytes(value)) return hex(value);
  if (value instanceof Date) return value.toISOString();
  return value;
}

/** A CSV field per RFC 4180: quoted when it holds a comma, quote or line break; NULL is empty. */
export function csvField(value: unknown): string {
  if (value === null || value === undefined) return '';
  let text: string;
  if (isBytes(value)) text = hex(value);
  else if (value instanceof Date) text = value.toISOString();
  else if (typeof value === 'object') text = JSON.stringify(value);
  else text = String(value);
  return /[",\r\n]/.test(text) ? `"${text.replace(/"/g, '""')}"` : text;
}

/** Renders rows of one table in a format; `header` is written once before the first page. */
export function renderRows(format: ExportFormat, table: string, columns: readonly string[], rows: readonly Row[], dialect: DialectName): string {
  let out = '';
  for (const row of rows) {
    if (format === 'jsonl') {
      const record: Record<string, unknown> = {};
      for (const c of columns) record[c] = jsonValue(row[c]);
      out += JSON.stringify(record) + '\n';
    } else if (format === 'csv') {
      out += columns.map((c) => csvField(row[c])).join(',') + '\r\n';
    } else {
      out += `INSERT INTO ${quoteIdent(table)} (${columns.map(quoteIdent).join(', ')}) VALUES (${columns
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
