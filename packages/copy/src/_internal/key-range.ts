import {
  asJsonText,
  jsonDocumentKind,
  nativeHandle,
  parseJsonWithText,
  quoteIdentifier,
  readTableName,
  type DatabaseAdapter,
  type Row,
  type SqliteNativeDatabase,
  type TableInfo,
} from '@switchyard/core';
import type { KeyValues } from './key-codec';
import type { RangeBounds } from './checkpoint-ledger';
import { keyTuple, placeholderTuple } from './sql-text';

/** Rows in a source table, for progress and planning. */
export async function countRows(source: DatabaseAdapter, table: TableInfo): Promise<number> {
  const row = await source.first<{ n: unknown }>(`SELECT count(*) AS n FROM ${readTableName(table, source.dialect)}`);
  return Number(row?.n ?? 0);
}

/**
 * Splits a table's key space into `count` ranges up front. A single integer key is cut
 * arithmetically between its min and max; any other key (text, composite) at every
 * n-th key in key order, found in one pass with `row_number()`. The last range is open
 * ended, so rows inserted past the old maximum while the copy runs are copied too.
 */
export async function splitKeySpace(source: DatabaseAdapter, table: TableInfo, count: number, rows: number): Promise<RangeBounds[]> {
  if (count <= 1 || rows < count * 2) return [{ start: null, end: null }];
  const pk = table.primaryKey;
  const ref = readTableName(table, source.dialect);
  let bounds: KeyValues[] = [];
  const column = table.columns.find((c) => c.name === pk[0]);
  if (pk.length === 1 && column?.logicalType === 'integer') {
    const row = await source.first<Row>(`SELECT min(${quoteIdentifier(pk[0]!)}) AS lo, max(${quoteIdentifier(pk[0]!)}) AS hi FROM ${ref}`);
    if (row?.lo === null || row?.lo === undefined) return [{ start: null, end: null }];
    const lo = BigInt(row.lo as number | bigint | string);
    const hi = BigInt(row.hi as number | bigint | string);
    const span = hi - lo;
    for (let i = 1; i < count; i++) {
      const b = lo + (span * BigInt(i)) / BigInt(count);
      if (bounds.length === 0 || b > (bounds[bounds.length - 1]![0] as bigint)) bounds.push([b]);
    }
    bounds = bounds.map(([b]) => [toNumberIfSafe(b as bigint)]);
  } else {
    const step = Math.ceil(rows / count);
    const keys = keyTuple(pk).replace(/^\(|\)$/g, '');
    const found = await source.query<Row>(
      `SELECT ${keys} FROM (SELECT ${keys}, row_number() OVER (ORDER BY ${keys}) AS sy_rn FROM ${ref}) AS s ` +
        `WHERE sy_rn % ${step} = 0 ORDER BY ${keys}`,
    );
    bounds = found.slice(0, count - 1).map((r) => pk.map((k) => r[k]));
  }
  const ranges: RangeBounds[] = [];
  let start: KeyValues | null = null;
  for (const b of bounds) {
    ranges.push({ start, end: b });
    start = b;
  }
  ranges.push({ start, end: null });
  return ranges;
}

/** A page reader: rows as arrays, in the order of the columns asked for. */
export type PageReader = (after: KeyValues | null, end: KeyValues | null) => Promise<unknown[][]>;

/**
 * Reads one page of a range by keyset pagination on the primary key: rows after the
 * last key seen, up to the range end, in key order. Never OFFSET: each page costs the
 * same however far the copy has gone. On a better-sqlite3 source the statement is run
 * directly in raw (array) mode, which builds no row objects: that is most of the read
 * cost. int64 stay exact either way. With `json`, a Postgres source's `json` and `jsonb`
 * columns are read as their text (see {@link documentOf}). `lock` reads Postgres rows
 * `FOR SHARE`.
 */
export function createPageReader(
  source: DatabaseAdapter,
  table: TableInfo,
  columns: readonly string[],
  pageSize: number,
  { lock = false, json: jsonMode }: { lock?: boolean; json?: JsonMode } = {},
): PageReader {
  const ref = readTableName(table, source.dialect);
  const pk = table.primaryKey;
  const key = keyTuple(pk);
  const holes = placeholderTuple(pk.length);
  const json = jsonMode && source.dialect === 'postgres' ? jsonColumns(table, columns) : [];
  const list = columns.map((c, i) => (json.includes(i) ? `${quoteIdentifier(c)}::text AS ${quoteIdentifier(c)}` : quoteIdentifier(c)));
  const head = `SELECT ${list.join(', ')} FROM ${ref}`;
  // `lock`: Postgres rows read FOR SHARE, so writes to them wait until the reader's transaction ends.
  const tail = ` ORDER BY ${pk.map(quoteIdentifier).join(', ')} LIMIT ${pageSize}${lock && source.dialect === 'postgres' ? ' FOR SHARE' : ''}`;
  const sqlFor = (after: boolean, end: boolean): string => {
    const where = [after ? `${key} > ${holes}` : '', end ? `${key} <= ${holes}` : ''].filter(Boolean);
    return head + (where.length ? ' WHERE ' + where.join(' AND ') : '') + tail;
  };
  const shapes = [sqlFor(false, false), sqlFor(true, false), sqlFor(false, true), sqlFor(true, true)];
  const raw = lock ? undefined : rawSqlite(source);
  if (raw) {
    const statements = shapes.map((sql) => raw.prepare(sql).safeIntegers(true).raw(true));
    return async (after, end) => {
      const rows = statements[(after ? 1 : 0) + (end ? 2 : 0)]!.all(...toSqliteParams(after), ...toSqliteParams(end)) as unknown[][];
      for (const row of rows) {
        for (let i = 0; i < row.length; i++) {
          const v = row[i];
          if (typeof v === 'bigint' && v <= MAX_SAFE && v >= MIN_SAFE) row[i] = Number(v);
        }
      }
      return rows;
    };
  }
  return async (after, end) => {
    const sql = shapes[(after ? 1 : 0) + (end ? 2 : 0)]!;
    const rows = await source.query<Row>(sql, [...(after ?? []), ...(end ?? [])]);
    const out = rows.map((r) => columns.map((c) => r[c]));
    for (const row of out) for (const i of json) if (typeof row[i] === 'string') row[i] = documentOf(row[i], jsonMode!);
    return out;
  };
}

/**
 * How a copy writes a Postgres source's JSON: `exact` to Postgres, every document as its
 * text; `document` to SQLite or D1, where text that is not JSON arrives as a JSON string
 * and goes back as one (see the README), so a bare string document stays its string and
 * the `null` document SQL NULL.
 */
export type JsonMode = 'exact' | 'document';

/**
 * A Postgres JSON text as the value a copy writes: an object or array with its text kept,
 * a bare number or boolean as its text (parsed, `1.50` would be written `1.5`, and `true`
 * would reach SQLite as `1`), and, `exact`, a bare string as its text (parsed, it would be
 * written as the JSON it holds) and the `null` document as its text, not SQL NULL (see
 * core's `asJsonText`).
 */
function documentOf(text: string, mode: JsonMode): unknown {
  const value = parseJsonWithText(text);
  if (value !== null && typeof value === 'object') return value;
  if (mode === 'document' && (value === null || typeof value === 'string')) return value;
  return asJsonText(text);
}

/** The positions in `columns` of the table's `json` and `jsonb` columns (domains over them too; not arrays of them). */
function jsonColumns(table: TableInfo, columns: readonly string[]): number[] {
  const json = new Set(table.columns.filter((c) => jsonDocumentKind(c) !== undefined).map((c) => c.name));
  return columns.flatMap((c, i) => (json.has(c) ? [i] : []));
}

const MAX_SAFE = BigInt(Number.MAX_SAFE_INTEGER);
const MIN_SAFE = BigInt(Number.MIN_SAFE_INTEGER);

/** The better-sqlite3 database under a source that has one and is open; else the portable read is used. */
function rawSqlite(source: DatabaseAdapter): SqliteNativeDatabase | undefined {
  const database = nativeHandle(source, 'better-sqlite3')?.database;
  return database?.open ? database : undefined;
}

function toSqliteParams(key: KeyValues | null): unknown[] {
  if (!key) return [];
  return key.map((v) => (typeof v === 'boolean' ? (v ? 1 : 0) : v instanceof Date ? v.toISOString() : v));
}

function toNumberIfSafe(b: bigint): number | bigint {
  return b <= BigInt(Number.MAX_SAFE_INTEGER) && b >= BigInt(Number.MIN_SAFE_INTEGER) ? Number(b) : b;
}
