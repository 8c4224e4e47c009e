import { withoutPadding, type DatabaseAdapter, type Row, type TableInfo } from '@switchyard/core';
import { withExactText } from './exact-text';
import { keyId, MAX_SAFE, MIN_SAFE, type KeyCodec } from './key-codec';
import { keysMatch, selectList, tableRef } from './sql-text';
import type { JsonReads } from './json-reads';
import type { KeyColumn } from './table-plan';
import { withPostgresTimestampKeys, withStoredTimestampForms } from './timestamp-key-forms';

// Enough keys per statement to amortize the round trip, few enough to keep plans simple.
const MAX_KEYS_PER_STATEMENT = 500;

/**
 * Reads the rows with the given keys (`asText` columns as their Postgres text), in statements that stay within the engine's
 * bound-parameter limit (D1: 100), and returns them by key id.
 *
 * @example
 * ```ts
 * const rows = await fetchByKeys(target, info, keys, ['id', 'name'], sampleKeys, codec);
 * ```
 */
export async function fetchByKeys(
  adapter: DatabaseAdapter,
  table: TableInfo,
  keys: readonly KeyColumn[],
  columns: readonly string[],
  keyRows: readonly Row[],
  codec: KeyCodec,
  asText?: JsonReads,
): Promise<Map<string, Row>> {
  const out = new Map<string, Row>();
  if (adapter.dialect !== 'postgres' && keys.some((k) => k.blankPadded)) keyRows = withUnpaddedKeys(keyRows, keys);
  if (keys.some((k) => k.type === 'timestamp'))
    keyRows = adapter.dialect === 'postgres' ? withPostgresTimestampKeys(keyRows, keys) : withStoredTimestampForms(keyRows, keys);
  const d1 = adapter.dialect === 'd1';
  const perStatement = Math.max(1, Math.min(MAX_KEYS_PER_STATEMENT, Math.floor(adapter.capabilities.maxBoundParameters / keys.length)));
  for (let i = 0; i < keyRows.length; i += perStatement) {
    const chunk = keyRows.slice(i, i + perStatement);
    const params: unknown[] = [];
    for (const row of chunk) for (const key of keys) params.push(d1 ? keyForD1(row[key.name]) : row[key.name]);
    const sql = `SELECT ${selectList(columns, asText)} FROM ${tableRef(table)} WHERE ${keysMatch(keys, chunk.length)}`;
    const rows = await withExactText(
      adapter,
      tableRef(table),
      keys.map((k) => k.name),
      await adapter.query(sql, params),
    );
    for (const row of rows) out.set(keyId(codec.parts(row)), row);
  }
  return out;
}

/**
 * Each key as given and, where a Postgres side pads it (`character(n)`), without its trailing
 * spaces: SQLite and D1 hold a key copied from Postgres padded (`'ab   '`) and one their app
 * wrote after a switch as it was written (`'ab'`), and match neither by the other's text.
 */
function withUnpaddedKeys(keyRows: readonly Row[], keys: readonly KeyColumn[]): Row[] {
  return keyRows.flatMap((row) => {
    const trimmed: Row = { ...row };
    for (const key of keys) if (key.blankPadded) trimmed[key.name] = withoutPadding(row[key.name]);
    return keys.some((k) => trimmed[k.name] !== row[k.name]) ? [row, trimmed] : [row];
  });
}

/**
 * A key past 2^53 (another side's, exact) as its decimal text for D1, which refuses to bind
 * such a bigint: an INTEGER column compares the text as the number it spells, so the row is
 * found, and its value, which D1 hands back rounded, is reported (see core's `isPossiblyRoundedInteger`).
 */
function keyForD1(value: unknown): unknown {
  return typeof value === 'bigint' && (value > MAX_SAFE || value < MIN_SAFE) ? value.toString() : value;
}
