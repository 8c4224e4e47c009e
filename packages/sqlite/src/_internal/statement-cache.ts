import { isWriteStatement, type RawResult, type Row } from '@switchyard/core';
import type { SqliteDatabase, SqliteStatement } from '../sqlite-database';
import { hasUnsafeNumber, toSafeNumbers } from './row-stream';

const STATEMENT_CACHE_SIZE = 500;
const MAX_SAFE = BigInt(Number.MAX_SAFE_INTEGER);
const MIN_SAFE = BigInt(Number.MIN_SAFE_INTEGER);

/** A prepared statement, and whether it changes data (such a reader must not run twice). */
export interface CachedStatement {
  statement: SqliteStatement;
  write: boolean;
  /** The same text prepared again in raw mode, for `runCachedRaw`: switching modes per run costs two calls into the driver. */
  raw?: SqliteStatement;
}

/**
 * The prepared statement for `sql`, from the cache or prepared now. The cache holds the
 * last 500 statements; the oldest is dropped first.
 */
export function cachedStatement(database: SqliteDatabase, cache: Map<string, CachedStatement>, sql: string): CachedStatement {
  let cached = cache.get(sql);
  if (cached) return cached;
  const statement = database.prepare(sql);
  const write = isWriteStatement(sql);
  // Writers run with safeIntegers so run() reports lastInsertRowid as an exact bigint, and
  // a write's RETURNING rows are read exactly (it must not run twice) without switching.
  if (!statement.reader || write) statement.safeIntegers(true);
  cached = { statement, write };
  if (cache.size >= STATEMENT_CACHE_SIZE) cache.delete(cache.keys().next().value as string);
  cache.set(sql, cached);
  return cached;
}

/** Runs a prepared statement to the end: a reader's rows, or a writer's changes and last rowid. */
export function runCached({ statement, write }: CachedStatement, params: unknown[]): RawResult {
  if (statement.reader) {
    const rows = write ? toSafeRows(statement.all(...params) as Row[]) : readFast(statement, params);
    return { rows, rowsAffected: write ? rows.length : 0 };
  }
  const info = statement.run(...params);
  return { rows: [], rowsAffected: info.changes, lastInsertId: toNumberIfSafe(info.lastInsertRowid) };
}

/** `runCached` with a reader's rows as arrays in column order (better-sqlite3's raw mode), each value as exact. */
export function runCachedRaw(database: SqliteDatabase, sql: string, cached: CachedStatement, params: unknown[]): RawResult {
  const { statement, write } = cached;
  if (!statement.reader) return runCached(cached, params);
  if (!write) {
    statement.raw(true);
    try {
      return runCached(cached, params);
    } finally {
      statement.raw(false);
    }
  }
  // A write with RETURNING (a capture): the same text again and again, so it keeps a twin in raw mode.
  if (!cached.raw) {
    cached.raw = database.prepare(sql);
    cached.raw.safeIntegers(true);
    cached.raw.raw(true);
  }
  const rows = cached.raw.all(...params) as unknown[][];
  for (const row of rows) toSafeValues(row);
  return { rows: rows as unknown as Row[], rowsAffected: rows.length };
}

/** `toSafeNumbers` for a row read in raw mode: an index loop, not `for...in` over an array. */
function toSafeValues(row: unknown[]): void {
  for (let i = 0; i < row.length; i++) {
    const value = row[i];
    if (typeof value === 'bigint') row[i] = toNumberIfSafe(value);
  }
}

function toNumberIfSafe(value: number | bigint): number | bigint {
  return typeof value === 'bigint' && value <= MAX_SAFE && value >= MIN_SAFE ? Number(value) : value;
}

/**
 * Reads rows as plain numbers (a BigInt per integer would double the cost of a scan), and
 * reads again with safeIntegers only when a value lies beyond 2^53, where the number
 * may have been rounded. Only for statements without side effects: they can run twice.
 */
function readFast(statement: SqliteStatement, params: unknown[]): Row[] {
  const rows = statement.all(...params) as Row[];
  return rows.some(hasUnsafeNumber) ? readExact(statement, params) : rows;
}

/** Reads with safeIntegers, so no int64 is rounded. */
function readExact(statement: SqliteStatement, params: unknown[]): Row[] {
  statement.safeIntegers(true);
  try {
    return toSafeRows(statement.all(...params) as Row[]);
  } finally {
    statement.safeIntegers(false);
  }
}

function toSafeRows(rows: Row[]): Row[] {
  for (const row of rows) toSafeNumbers(row);
  return rows;
}
