import { findInvalidText, readTableName, toHex, UnsupportedError, type DatabaseAdapter, type Row, type TableInfo } from '@switchyard/core';
import type { KeyValues } from './key-codec';
import type { PageReader } from './key-range';
import type { CopyText } from './sqlite-copy-text';

/**
 * A page reader that refuses text whose stored bytes are not well-formed UTF-8. SQLite
 * and D1 can hold such text, but every driver reads it with U+FFFD in place of the bad
 * bytes, and writing that would change the value silently. The error names the table,
 * the key and the column, before anything of the page is written.
 */
export function refuseInvalidText(source: DatabaseAdapter, table: TableInfo, columns: readonly string[], read: PageReader): PageReader {
  if (source.dialect === 'postgres') return read;
  const ref = readTableName(table, source.dialect);
  return async (after, end) => {
    const rows = await read(after, end);
    let suspects: Row[] | undefined;
    for (const values of rows) {
      if (!values.some((v) => typeof v === 'string' && v.includes('\uFFFD'))) continue;
      const row: Row = {};
      columns.forEach((c, i) => (row[c] = values[i]));
      (suspects ??= []).push(row);
    }
    if (!suspects) return rows;
    const [bad] = await findInvalidText(source, ref, table.primaryKey, suspects);
    if (!bad) return rows;
    const key = Object.fromEntries(table.primaryKey.map((k) => [k, bad.row[k]]));
    throw new UnsupportedError(
      `Table "${table.name}", key ${JSON.stringify(key, (_k, v: unknown) => (typeof v === 'bigint' ? v.toString() : v))}, column "${bad.column}": ` +
        `the text is not well-formed UTF-8 (bytes ${toHex(bad.bytes).slice(0, 64)}), and copying it would replace bytes with U+FFFD. ` +
        'Fix the value in the source, or store it in a BLOB column, then copy again.',
      { dialect: source.dialect },
    );
  };
}

/**
 * The same guard for pages SQLite renders as COPY text. The driver decodes the page with
 * U+FFFD in place of bytes that are not UTF-8, so a page without U+FFFD (one native scan)
 * is sent as it is; a page with one is read again as rows over the same keys by `checked`
 * (a reader wrapped by {@link refuseInvalidText}), which throws for the first bad value
 * and lets a genuine U+FFFD through.
 */
export function refuseInvalidCopyText(
  read: (after: KeyValues | null, end: KeyValues | null) => Promise<CopyText>,
  checked: PageReader,
): (after: KeyValues | null, end: KeyValues | null) => Promise<CopyText> {
  return async (after, end) => {
    const page = await read(after, end);
    if (page.count > 0 && page.text.includes('\uFFFD')) await checked(after, page.lastKey);
    return page;
  };
}
