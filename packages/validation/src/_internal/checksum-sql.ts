import { nativeHandle, toHex, type DatabaseAdapter, type SqliteNativeDatabase } from '@switchyard/core';

/** A better-sqlite3 database that can register aggregate functions. */
type SqliteAggregateHost = SqliteNativeDatabase & Required<Pick<SqliteNativeDatabase, 'aggregate'>>;

/** The SQL function SQLite checksums rows with, registered on the better-sqlite3 handle. */
export const SQLITE_CHECKSUM_FUNCTION = 'switchyard_row_checksum';

const registered = new WeakSet<object>();

/** The better-sqlite3 handle behind a SQLite adapter, when it can register functions. */
function sqliteHost(adapter: DatabaseAdapter): SqliteAggregateHost | undefined {
  const database = nativeHandle(adapter, 'better-sqlite3')?.database;
  return typeof database?.aggregate === 'function' ? (database as SqliteAggregateHost) : undefined;
}

/**
 * Which checksum both sides can compute identically, if any. Checksums compare stored
 * values, not normalized ones, so they are only used between two engines of one family:
 * equal checksums then mean equal values, and a differing range is handed to the
 * row-by-row merge, which normalizes. Postgres uses md5 of the row's text; SQLite a
 * function registered on better-sqlite3 (D1 cannot register functions).
 */
export function checksumDialect(source: DatabaseAdapter, target: DatabaseAdapter): 'postgres' | 'sqlite' | undefined {
  if (source.dialect === 'postgres' && target.dialect === 'postgres') return 'postgres';
  const a = sqliteHost(source);
  const b = sqliteHost(target);
  if (!a || !b) return undefined;
  register(a);
  register(b);
  return 'sqlite';
}

/** The checksum expression over quoted columns, yielding one text value per range. */
export function checksumSelect(dialect: 'postgres' | 'sqlite', columns: readonly string[]): string {
  const list = columns.join(', ');
  if (dialect === 'sqlite') {
    // Text is hashed by its bytes: the function would receive it decoded, with U+FFFD in
    // place of bytes that are not UTF-8, and two different values would hash alike. A blob
    // then goes as its hex text, so that text and a blob of the same bytes (different
    // values in SQLite: 'abc' = X'616263' is false) reach it as different kinds.
    const bytes = columns.map((c) => `iif(typeof(${c}) = 'text', CAST(${c} AS BLOB), iif(typeof(${c}) = 'blob', hex(${c}), ${c}))`);
    return `count(*) AS n, ${SQLITE_CHECKSUM_FUNCTION}(${bytes.join(', ')}) AS h`;
  }
  // Two 60-bit slices of each row's md5, summed exactly as numeric (as data-diff does).
  const slice = (from: number) => `sum(('x' || substr(md5(ROW(${list})::text), ${from}, 15))::bit(60)::bigint)`;
  return `count(*) AS n, (coalesce(${slice(1)}, 0)::text || ':' || coalesce(${slice(16)}, 0)::text) AS h`;
}

function register(host: SqliteAggregateHost): void {
  if (registered.has(host)) return;
  host.aggregate(SQLITE_CHECKSUM_FUNCTION, {
    varargs: true,
    deterministic: true,
    safeIntegers: true,
    // Four 16-bit lanes of a 64-bit row hash: sums stay exact in a double up to 2^37 rows.
    start: () => [0, 0, 0, 0],
    step(total, ...values) {
      const [h1, h2] = hashRow(values);
      total[0]! += h1 & 0xffff;
      total[1]! += h1 >>> 16;
      total[2]! += h2 & 0xffff;
      total[3]! += h2 >>> 16;
      return total;
    },
    result: (total) => total.join(':'),
  });
  registered.add(host);
}

/** A 64-bit hash (two 32-bit halves) of a row's values, each tagged by its storage class. */
function hashRow(values: readonly unknown[]): [number, number] {
  let text = '';
  for (const value of values) {
    if (value === null || value === undefined) text += 'n|';
    else if (typeof value === 'bigint') text += 'i' + value.toString() + '|';
    else if (typeof value === 'number') text += 'r' + String(value) + '|';
    else if (typeof value === 'string') text += 's' + value.length + ':' + value + '|';
    else if (value instanceof Uint8Array) text += 'b' + toHex(value) + '|';
    else text += 'o' + String(value) + '|';
  }
  // cyrb53's mixing, keeping both 32-bit halves.
  let h1 = 0xdeadbeef;
  let h2 = 0x41c6ce57;
  for (let i = 0; i < text.length; i++) {
    const ch = text.charCodeAt(i);
    h1 = Math.imul(h1 ^ ch, 2654435761);
    h2 = Math.imul(h2 ^ ch, 1597334677);
  }
  h1 = Math.imul(h1 ^ (h1 >>> 16), 2246822507);
  h1 ^= Math.imul(h2 ^ (h2 >>> 13), 3266489909);
  h2 = Math.imul(h2 ^ (h2 >>> 16), 2246822507);
  h2 ^= Math.imul(h1 ^ (h1 >>> 13), 3266489909);
  return [h1 >>> 0, h2 >>> 0];
}
