import { checkStatementLimits, statementKind, type EncodedStatement, type LimitSubject, type RawResult, type Row } from '@switchyard/core';

/** Rows per page when the caller gives no `chunkSize`. */
export const DEFAULT_PAGE_SIZE = 1000;

const LEADING_NOISE = /^(?:\s+|--[^\n]*\n?|\/\*[\s\S]*?\*\/)*/;

/**
 * The statement of one page: the read wrapped as a subquery with `LIMIT ? OFFSET ?`
 * appended to its parameters, or `undefined` when it cannot be wrapped (not a plain
 * `SELECT`/`WITH … SELECT`, or over D1's limits once the two parameters are added).
 *
 * @example
 * ```ts
 * pagedStatement(subject, { sql: 'SELECT * FROM t ORDER BY id', params: [] }); // SELECT * FROM (…) LIMIT ? OFFSET ?
 * ```
 */
export function pagedStatement(subject: LimitSubject, { sql, params }: EncodedStatement): string | undefined {
  if (statementKind(sql) !== 'read') return undefined;
  const word = /^[A-Za-z]+/.exec(sql.replace(LEADING_NOISE, ''))?.[0]?.toUpperCase();
  if (word !== 'SELECT' && word !== 'WITH') return undefined;
  // New lines around the query keep a trailing `-- comment` from swallowing the wrapper.
  const paged = `SELECT * FROM (\n${sql.replace(/[\s;]+$/, '')}\n) LIMIT ? OFFSET ?`;
  try {
    checkStatementLimits(subject, paged, params.length + 2);
  } catch {
    return undefined;
  }
  return paged;
}

/**
 * Reads a statement page by page: each page is one request, sent only when the consumer
 * asks for more rows, and `return()` sends no further request. A statement that cannot
 * be paged (see {@link pagedStatement}) is read in one request.
 *
 * @example
 * ```ts
 * for await (const rows of readPages(run, subject, statement, 1000)) console.log(rows.length);
 * ```
 */
export async function* readPages<T>(
  run: (statement: EncodedStatement) => Promise<RawResult>,
  subject: LimitSubject,
  statement: EncodedStatement,
  pageSize: number,
): AsyncGenerator<T[]> {
  const paged = pagedStatement(subject, statement);
  if (paged === undefined) {
    const { rows } = await run(statement);
    if (rows.length > 0) yield rows as T[];
    return;
  }
  for (let offset = 0; ; offset += pageSize) {
    const { rows } = await run({ sql: paged, params: [...statement.params, pageSize, offset] });
    // A subquery renames duplicate column names (`id`, `id:1`): read such a result whole,
    // under the names the query itself gives.
    if (offset === 0 && rows.length > 0 && hasRenamedColumn(rows[0]!)) {
      yield (await run(statement)).rows as T[];
      return;
    }
    if (rows.length > 0) yield rows as T[];
    if (rows.length < pageSize) return;
  }
}

function hasRenamedColumn(row: Row): boolean {
  for (const key in row) {
    const match = /^(.*):\d+$/.exec(key);
    if (match && match[1]! in row) return true;
  }
  return false;
}
