import { SqlTokenizer, type Statement } from '@switchyard/core';
import { dualWriteKind } from './primary-only';
import { BoundedCache } from './bounded-cache';

/**
 * The statements of a Postgres text that holds several (`INSERT …; UPDATE …`, which Postgres
 * runs as one implicit transaction when it has no parameters), when each of them reads or
 * writes rows; `undefined` for a single statement, one with parameters, or one that holds a
 * schema change or transaction control (those stay one text, replayed as written).
 *
 * @example
 * ```ts
 * rowStatementsOf({ sql: "INSERT INTO t (v) VALUES ('a;b'); UPDATE t SET v = 'c'; -- done" });
 * // ["INSERT INTO t (v) VALUES ('a;b')", "UPDATE t SET v = 'c'"]
 * ```
 */
export function rowStatementsOf(statement: Statement): string[] | undefined {
  const { sql, params } = statement;
  // Most texts hold no `;`, or one at their end: nothing to read there on the write path.
  const semicolon = sql.indexOf(';');
  if ((params?.length ?? 0) > 0 || semicolon < 0 || semicolon === sql.trimEnd().length - 1) return undefined;
  let parts = texts.get(sql);
  if (parts === undefined) texts.set(sql, (parts = split(sql) ?? null));
  return parts ?? undefined;
}

/** Each text's statements are kept: apps send the same few texts again and again. */
const texts = new BoundedCache<string, string[] | null>(500);

/** Statements that write rows (a `SET`, `CALL` or `DO` block keeps the text whole). */
const ROW_WRITES = /^(?:INSERT|UPDATE|DELETE|WITH|MERGE)\b/i;

function split(sql: string): string[] | undefined {
  const parts: string[] = [];
  const tokens = new SqlTokenizer(sql, { brackets: false });
  let start = -1;
  let end = 0;
  const close = () => {
    if (start >= 0) parts.push(sql.slice(start, end));
    start = -1;
  };
  while (tokens.next()) {
    if (tokens.kind === 'punct' && tokens.text === ';') close();
    else {
      if (start < 0) start = tokens.start;
      end = tokens.end;
    }
  }
  close();
  if (parts.length < 2) return undefined;
  return parts.every((p) => dualWriteKind(p) === 'read' || ROW_WRITES.test(p)) ? parts : undefined;
}
