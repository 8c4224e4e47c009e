import { qualifiedTableName, quoteIdentifier, readTableName, type DatabaseAdapter, type TableInfo } from '@switchyard/core';
import type { JsonRead, JsonReads } from './json-reads';
import type { KeyColumn } from './table-plan';

/** The table as a read or a DELETE names it: schema-qualified on Postgres outside `public`, `ONLY` where others inherit it. */
export function tableRef(table: Pick<TableInfo, 'name' | 'schema' | 'inheritedBy'>): string {
  // Validation names each table as its own side's introspection read it, and only Postgres sets a schema or heirs.
  return readTableName(table, 'postgres');
}

/** A table as an INSERT names it (which takes no ONLY). */
export function insertTarget(table: Pick<TableInfo, 'name' | 'schema'>): string {
  return qualifiedTableName(table, 'postgres');
}

// Postgres types that take a collation and order by it; COLLATE on any other type is an error.
const PG_COLLATABLE = /^(text|character|char|varchar|bpchar|name)\b/i;
// Types whose own order is the byte order of the text pg reads them as (hex, ISO forms).
const PG_TEXT_ORDERED = /^(uuid|bytea|date|time|timestamp)\b/i;

/**
 * A key column as it appears in ORDER BY and keyset comparisons. Text keys are forced
 * to byte order on both engines (SQLite BINARY, Postgres "C"), which for UTF-8 is code
 * point order: the order the merge compares keys in. Without it Postgres would sort by
 * the database's locale and the merge would see rows out of order. A Postgres type with
 * an order of its own (`citext`'s, which ignores case whatever the collation, an enum's
 * declaration order, `inet`'s) is ordered by its text, which is what the merge compares
 * and what SQLite holds for it; its index then cannot serve the walk, as a text key's
 * cannot under a locale other than "C".
 */
export function keyExpression(adapter: DatabaseAdapter, key: KeyColumn): string {
  const column = quoteIdentifier(key.name);
  if (key.order !== 'text') return column;
  if (adapter.dialect === 'postgres') {
    if (PG_COLLATABLE.test(key.declaredType)) return `${column} COLLATE "C"`;
    return PG_TEXT_ORDERED.test(key.declaredType) ? column : `(${column})::text COLLATE "C"`;
  }
  return `${column} COLLATE BINARY`;
}

/**
 * ORDER BY over the key, NULLs first on every engine (SQLite's default), so a NULL key
 * shows up on the first page and is reported rather than skipped. NOT NULL columns get
 * no NULLS FIRST: Postgres could not walk its ascending index for it and would sort the
 * table for every page.
 */
export function orderByKey(adapter: DatabaseAdapter, keys: readonly KeyColumn[]): string {
  return keys
    .map((k) => `${keyExpression(adapter, k)} ASC${adapter.dialect === 'postgres' && k.nullable ? ' NULLS FIRST' : ''}`)
    .join(', ');
}

/** `key > ?` or the row-value `(a, b) > (?, ?)` for keyset pagination. */
export function keyAfter(adapter: DatabaseAdapter, keys: readonly KeyColumn[]): string {
  if (keys.length === 1) return `${keyExpression(adapter, keys[0]!)} > ?`;
  const cols = keys.map((k) => keyExpression(adapter, k)).join(', ');
  return `(${cols}) > (${keys.map(() => '?').join(', ')})`;
}

/** A WHERE clause matching `count` keys: `k IN (?, ...)`, or `(a = ? AND b = ?) OR ...` for composite keys. */
export function keysMatch(keys: readonly { name: string }[], count: number): string {
  if (keys.length === 1) return `${quoteIdentifier(keys[0]!.name)} IN (${new Array(count).fill('?').join(', ')})`;
  const one = '(' + keys.map((k) => `${quoteIdentifier(k.name)} = ?`).join(' AND ') + ')';
  return new Array(count).fill(one).join(' OR ');
}

/** A SELECT list of quoted columns, those in `asText` read as their Postgres text (`"v"::text AS "v"`). */
export function selectList(columns: readonly string[], asText?: JsonReads): string {
  if (!asText?.size) return columns.map(quoteIdentifier).join(', ');
  return columns.map((c) => readAs(quoteIdentifier(c), asText.get(c))).join(', ');
}

function readAs(column: string, read: JsonRead | undefined): string {
  if (read === 'text') return `${column}::text AS ${column}`;
  // Text operations only (a cast to json would parse every document): `null` is the one
  // document whose text, without the spacing a json value may keep around it, is 'null'.
  const trimmed = `btrim(${column}::text, E' \\t\\n\\r')`;
  if (read === 'document') return `${trimmed} AS ${column}`;
  if (read === 'written') return `NULLIF(${trimmed}, 'null') AS ${column}`;
  return column;
}
