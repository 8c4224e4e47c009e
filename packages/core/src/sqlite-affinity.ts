/** The five column affinities of SQLite. */
export type SqliteAffinity = 'INTEGER' | 'TEXT' | 'BLOB' | 'REAL' | 'NUMERIC';

/**
 * The affinity SQLite gives a column declared `declaredType`, by its rules in their order:
 * `INT` anywhere, then `CHAR`/`CLOB`/`TEXT`, then `BLOB` or no type, then `REAL`/`FLOA`/`DOUB`,
 * else NUMERIC (`JSON`, `DATETIME`, `BOOLEAN` included). It decides what a value becomes
 * when stored: number-looking text a number under INTEGER, REAL and NUMERIC, a number text
 * under TEXT, each value as it is under BLOB.
 *
 * @example
 * ```ts
 * sqliteAffinity('VARCHAR(20)')    // 'TEXT'
 * sqliteAffinity('FLOATING POINT') // 'INTEGER' ("POINT" holds INT)
 * ```
 */
export function sqliteAffinity(declaredType: string): SqliteAffinity {
  const t = declaredType.toUpperCase();
  if (t.includes('INT')) return 'INTEGER';
  if (/CHAR|CLOB|TEXT/.test(t)) return 'TEXT';
  if (t.includes('BLOB') || t.trim() === '') return 'BLOB';
  if (/REAL|FLOA|DOUB/.test(t)) return 'REAL';
  return 'NUMERIC';
}
