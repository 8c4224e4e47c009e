import {
  converterFor,
  exactTimestampText,
  fromStoredValue,
  qualifiedTableName,
  quoteIdentifier as quote,
  type ColumnInfo,
  type Converter,
  type DatabaseAdapter,
  type DialectName,
  type Row,
  type Statement,
  type TableInfo,
} from '@switchyard/core';
import type { RowRef } from '../row-ref';
import { asDriverReads } from './json-scalar-documents';
import { returningClause } from './returning-check';
import { keepUpsertPrepared } from './prepared-upserts';

/**
 * One row as the primary left it: its table (the primary's name), its key, and every
 * column, or `null` when the row no longer exists there.
 */
export interface RowImage {
  table: string;
  key: Record<string, unknown>;
  row: Row | null;
  /**
   * Statements the secondary runs for this row instead of its image: what foreign key
   * actions did to a row the primary no longer holds (see `heldEffects`); `row` is the row as changed.
   */
  effects?: Statement[];
}

/** The primary's and the secondary's definition of one table. */
export interface TablePair {
  source: TableInfo;
  target: TableInfo;
}

/** The images of rows a statement returned: whole rows, or deleted keys. */
export function imagesOf(table: TableInfo, rows: readonly Row[], deleted: boolean): RowImage[] {
  return rows.map((row) => ({ table: table.name, key: pick(row, table.primaryKey), row: deleted ? null : row }));
}

/** The keys of `rows` of `table` (whose primary key is `columns`), as a journal keeps them. */
export function refsOfRows(table: string, columns: readonly string[], rows: readonly Row[]): RowRef[] {
  return rows.map((row) => refOf({ table, key: pick(row, columns), row }));
}

/** The stable name of a row, for locks and de-duplication. */
export function rowName(table: string, key: Record<string, unknown>): string {
  return `${table.toLowerCase()}\u0000${Object.values(key).map(keyText).join('\u0000')}`;
}

/** A row image's key as a journal can keep it. */
export function refOf(image: RowImage): RowRef {
  const key: RowRef['key'] = {};
  for (const [column, value] of Object.entries(image.key)) key[column] = keyValue(value);
  return { table: image.table, key };
}

/** Row references without repeats, in first-seen order. */
export function dedupeRefs(refs: readonly RowRef[]): RowRef[] {
  if (refs.length < 2) return [...refs];
  const seen = new Map<string, RowRef>();
  for (const r of refs) if (!seen.has(rowName(r.table, r.key))) seen.set(rowName(r.table, r.key), r);
  return [...seen.values()];
}

/**
 * Statements that make the secondary hold exactly these images, idempotently: an upsert
 * of the whole row on its primary key (the secondary's generator is never used, so ids
 * cannot drift), or a delete by key. Consecutive images of one table become multi-row
 * statements within the secondary's parameter limit; a key appears once per statement.
 * With `returning`, upserts return the rows as the secondary stored them, and whether
 * anything may change them after the statement (`storedRows`).
 */
export function imageStatements(
  images: readonly RowImage[],
  pairs: (table: string) => TablePair,
  from: DialectName,
  to: DatabaseAdapter,
  returning = false,
): Statement[] {
  const out: Statement[] = [];
  let run: RowImage[] = [];
  const flush = () => {
    if (run.length > 0) out.push(...runStatements(run, pairs(run[0]!.table), from, to, returning));
    run = [];
  };
  for (const image of images) {
    if (image.effects) {
      flush();
      out.push(...image.effects);
      continue;
    }
    const head = run[0];
    if (head && (head.table !== image.table || (head.row === null) !== (image.row === null))) flush();
    run.push(image);
  }
  flush();
  return out;
}

const imageTables = new WeakMap<Statement, string>();

/** The table (the primary's name) whose rows an upsert from `imageStatements` writes. */
export function imageTableOf(statement: Statement): string | undefined {
  return imageTables.get(statement);
}

/** How the rows of one table are written to one secondary: worked out once per pair of definitions. */
interface RunShape {
  mapped: MappedColumn[];
  keyColumns: MappedColumn[];
  table: string;
  /** `INSERT INTO t (…) [OVERRIDING SYSTEM VALUE] VALUES ` */
  head: string;
  /** ` ON CONFLICT (…) DO …` */
  tail: string;
  tuple: string;
  /** ` RETURNING *` and the count of what may change rows after the statement. */
  returning: string;
  /** Upsert SQL by row count (negative: with `returning`). */
  upserts: Map<number, string>;
}

export interface MappedColumn {
  source: ColumnInfo;
  target: ColumnInfo;
  convert: ((v: unknown) => unknown) | undefined;
}

/** Per source definition, per target definition, per engine pair: a new definition after a schema change misses. */
const shapes = new WeakMap<TableInfo, WeakMap<TableInfo, Map<string, RunShape>>>();

/** How one table's columns map from the primary to the secondary: each value's conversion, the key's columns, the target's name. */
export function columnMapping(pair: TablePair, from: DialectName, to: DialectName): Pick<RunShape, 'mapped' | 'keyColumns' | 'table'> {
  return shapeOf(pair, from, to);
}

function shapeOf(pair: TablePair, from: DialectName, to: DialectName): RunShape {
  let byTarget = shapes.get(pair.source);
  if (!byTarget) shapes.set(pair.source, (byTarget = new WeakMap()));
  let byDialects = byTarget.get(pair.target);
  if (!byDialects) byTarget.set(pair.target, (byDialects = new Map()));
  const id = `${from}>${to}`;
  let shape = byDialects.get(id);
  if (!shape) byDialects.set(id, (shape = newShape(pair, from, to)));
  return shape;
}

function newShape({ source, target }: TablePair, from: DialectName, to: DialectName): RunShape {
  // A column the secondary computes itself takes no value: Postgres refuses one (SQLSTATE 428C9).
  const byName = new Map(target.columns.filter((c) => !c.generated).map((c) => [c.name.toLowerCase(), c]));
  const sourceColumns = source.columns.filter((c) => byName.has(c.name.toLowerCase()));
  const mapped = sourceColumns.map((c) => ({
    source: c,
    target: byName.get(c.name.toLowerCase())!,
    convert: withDriverReads(converterFor(c, from, byName.get(c.name.toLowerCase())!, to), c, from, to),
  }));
  const keyColumns = mapped.filter((m) => source.primaryKey.some((k) => k.toLowerCase() === m.source.name.toLowerCase()));
  const table = qualifiedTableName(target, to);
  const others = mapped.filter((m) => !keyColumns.includes(m));
  const conflict = keyColumns.map((m) => quote(m.target.name)).join(', ');
  const action =
    others.length === 0
      ? 'DO NOTHING'
      : `DO UPDATE SET ${others.map((m) => `${quote(m.target.name)} = excluded.${quote(m.target.name)}`).join(', ')}`;
  // Identity columns GENERATED ALWAYS accept the primary's value only when told to.
  const overriding = to === 'postgres' ? ' OVERRIDING SYSTEM VALUE' : '';
  const columns = mapped.map((m) => quote(m.target.name)).join(', ');
  return {
    mapped,
    keyColumns,
    table,
    head: `INSERT INTO ${table} (${columns})${overriding} VALUES `,
    tail: ` ON CONFLICT (${conflict}) ${action}`,
    tuple: `(${mapped.map(() => '?').join(', ')})`,
    returning: returningClause(target, to),
    upserts: new Map(),
  };
}

/** A converter that also writes a bare JSON document as pg reads it where the secondary is SQLite or D1 (see `asDriverReads`). */
function withDriverReads(convert: Converter | undefined, source: ColumnInfo, from: DialectName, to: DialectName): Converter | undefined {
  if (from !== 'postgres' || to === 'postgres' || source.logicalType !== 'json') return convert;
  return convert ? (v) => convert(asDriverReads(v)) : asDriverReads;
}

function upsertSql(shape: RunShape, rows: number, returning: boolean): string {
  const id = returning ? -rows : rows;
  let sql = shape.upserts.get(id);
  if (sql === undefined) {
    sql = `${shape.head}${Array.from({ length: rows }, () => shape.tuple).join(', ')}${shape.tail}${returning ? shape.returning : ''}`;
    // Row counts vary with concurrency; a few hundred texts per table at most.
    if (shape.upserts.size < 256) shape.upserts.set(id, sql);
  }
  return sql;
}

function runStatements(images: RowImage[], pair: TablePair, from: DialectName, to: DatabaseAdapter, returning: boolean): Statement[] {
  const shape = shapeOf(pair, from, to.dialect);
  const { mapped, keyColumns } = shape;
  const deletes = images[0]!.row === null;
  const chunks = chunk(images, deletes ? keyColumns.length : mapped.length, to.capabilities.maxBoundParameters);
  if (deletes) return chunks.map((rows) => deleteStatement(shape.table, keyColumns, rows));
  return chunks.map((rows) => {
    const params: unknown[] = [];
    for (const image of rows) for (const m of mapped) params.push(convertValue(m, image.row![m.source.name]));
    const statement = { sql: upsertSql(shape, rows.length, returning), params };
    imageTables.set(statement, pair.source.name);
    keepUpsertPrepared(to, statement.sql, rows.length);
    return statement;
  });
}

function deleteStatement(table: string, keys: MappedColumn[], images: RowImage[]): Statement {
  if (keys.length === 1) {
    const k = keys[0]!;
    return {
      sql: `DELETE FROM ${table} WHERE ${quote(k.target.name)} IN (${images.map(() => '?').join(', ')})`,
      params: images.map((image) => convertValue(k, image.key[k.source.name])),
    };
  }
  const match = `(${keys.map((k) => `${quote(k.target.name)} = ?`).join(' AND ')})`;
  return {
    sql: `DELETE FROM ${table} WHERE ${images.map(() => match).join(' OR ')}`,
    params: images.flatMap((image) => keys.map((k) => convertValue(k, image.key[k.source.name]))),
  };
}

export function convertValue(column: { convert: ((v: unknown) => unknown) | undefined }, value: unknown): unknown {
  if (value === undefined) return null;
  return column.convert ? column.convert(value) : value;
}

/** Images in groups whose parameters fit the limit, each key at most once per group. */
function chunk(images: RowImage[], perRow: number, maxParams: number): RowImage[][] {
  // One row, the common write: no key to repeat, no limit to reach.
  if (images.length === 1) return [images];
  const size = Math.max(1, Math.floor(maxParams / Math.max(1, perRow)));
  const out: RowImage[][] = [];
  let current: RowImage[] = [];
  let seen = new Set<string>();
  for (const image of images) {
    const name = rowName(image.table, image.key);
    if (current.length >= size || seen.has(name)) {
      out.push(current);
      current = [];
      seen = new Set();
    }
    current.push(image);
    seen.add(name);
  }
  if (current.length > 0) out.push(current);
  return out;
}

function pick(row: Row, columns: readonly string[]): Record<string, unknown> {
  const key: Record<string, unknown> = {};
  for (const c of columns) key[c] = row[c];
  return key;
}

/**
 * A key value as a row reference holds it: null, a number or a string as they are;
 * anything else as text (a bigint in digits, bytes in hex, a date as ISO text), which
 * {@link keyParam} turns back into what a query by that key needs.
 */
export function keyValue(value: unknown): RowRef['key'][string] {
  return value === null || typeof value === 'number' || typeof value === 'string' ? value : keyText(value);
}

function keyText(value: unknown): string {
  if (value instanceof Uint8Array) return Array.from(value, (b) => b.toString(16).padStart(2, '0')).join('');
  // ISO text with every digit, as SQLite stores a Date and Postgres reads one back: String() would drop the milliseconds.
  if (value instanceof Date) return exactTimestampText(value);
  return String(value);
}

/** A row reference's key value as a query's parameter: bytes again for a blob column, which a reference holds in hex. */
export function keyParam(value: unknown, column: ColumnInfo | undefined): unknown {
  if (typeof value !== 'string' || column?.logicalType !== 'blob' || !/^(?:[0-9a-f]{2})*$/.test(value)) return value;
  return fromStoredValue({ $bytes: value });
}

/** A row's value for `column`, matched without regard to case when no key spells it exactly. */
export function pickCaseless(row: Record<string, unknown>, column: string): unknown {
  if (column in row) return row[column];
  const name = Object.keys(row).find((k) => k.toLowerCase() === column.toLowerCase());
  return name === undefined ? undefined : row[name];
}
