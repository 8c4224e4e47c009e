import { qualifiedTableName, quoteIdentifier, type DatabaseAdapter, type Statement, type TableInfo } from '@switchyard/core';
import type { OnConflict } from '../copy-options';
import type { CopyText } from './sqlite-copy-text';
import { namedInsertError } from './insert-refusal';

/** Writes converted rows (arrays in column order) plus the checkpoint advance, atomically. */
export interface RowWriter {
  readonly method: 'insert' | 'copy';
  /** `claimed` is false when the checkpoint row no longer belongs to this worker (taken over). */
  /** `onSent`, when given, is called once the data is on its way, so the caller can prepare the next batch meanwhile. */
  write(
    rows: unknown[][] | CopyText,
    checkpoint: Statement | undefined,
    onSent?: () => void,
  ): Promise<{ written: number; claimed: boolean }>;
}

/** `ON CONFLICT (pk) DO NOTHING / DO UPDATE SET …`, the same text on SQLite >= 3.24, D1 and Postgres. */
export function conflictClause(columns: readonly string[], primaryKey: readonly string[], onConflict: OnConflict): string {
  if (onConflict === 'error') return '';
  const target = ` ON CONFLICT (${primaryKey.map(quoteIdentifier).join(', ')})`;
  const rest = columns.filter((c) => !primaryKey.includes(c));
  if (onConflict === 'skip' || rest.length === 0) return target + ' DO NOTHING';
  return target + ' DO UPDATE SET ' + rest.map((c) => `${quoteIdentifier(c)} = excluded.${quoteIdentifier(c)}`).join(', ');
}

/**
 * Multi-row `INSERT … VALUES (…), (…) ON CONFLICT …` statements sized by the batch plan,
 * sent in one `batch()` with the checkpoint advance: the rows and the progress that
 * records them commit together, so a crash never loses or repeats a recorded batch.
 */
export class InsertWriter implements RowWriter {
  readonly method = 'insert' as const;
  readonly #target: DatabaseAdapter;
  readonly #head: string;
  readonly #tail: string;
  readonly #rowHoles: string;
  readonly #rowsPerStatement: number;
  readonly #sqlByRows = new Map<number, string>();
  readonly #table: string;
  readonly #columns: readonly string[];
  readonly #keyIndexes: number[];

  constructor(
    target: DatabaseAdapter,
    table: TableInfo,
    columns: readonly string[],
    onConflict: OnConflict,
    rowsPerStatement: number,
    overriding: boolean,
  ) {
    this.#target = target;
    this.#head =
      `INSERT INTO ${qualifiedTableName(table, target.dialect)} (${columns.map(quoteIdentifier).join(', ')})` +
      (overriding && target.dialect === 'postgres' ? ' OVERRIDING SYSTEM VALUE' : '') +
      ' VALUES ';
    this.#tail = conflictClause(columns, table.primaryKey, onConflict);
    this.#rowHoles = '(' + new Array(columns.length).fill('?').join(', ') + ')';
    this.#rowsPerStatement = rowsPerStatement;
    this.#table = table.name;
    this.#columns = columns;
    this.#keyIndexes = table.primaryKey.map((k) => columns.indexOf(k));
  }

  #sql(rows: number): string {
    let sql = this.#sqlByRows.get(rows);
    if (!sql) {
      sql = this.#head + new Array(rows).fill(this.#rowHoles).join(', ') + this.#tail;
      this.#sqlByRows.set(rows, sql);
    }
    return sql;
  }

  async write(payload: unknown[][] | CopyText, checkpoint: Statement | undefined): Promise<{ written: number; claimed: boolean }> {
    if (!Array.isArray(payload)) throw new TypeError('InsertWriter takes rows, not COPY text.');
    const rows = payload;
    const statements: Statement[] = [];
    for (let i = 0; i < rows.length; i += this.#rowsPerStatement) {
      const chunk = rows.slice(i, i + this.#rowsPerStatement);
      const params: unknown[] = [];
      for (const row of chunk) for (const v of row) params.push(v);
      statements.push({ sql: this.#sql(chunk.length), params });
    }
    if (checkpoint) statements.push(checkpoint);
    if (statements.length === 0) return { written: 0, claimed: true };
    const results = await this.#target.batch(statements).catch(async (error: unknown) => {
      throw (await this.#named(error, rows)) ?? error;
    });
    const inserts = checkpoint ? results.slice(0, -1) : results;
    const written = inserts.reduce((n, r) => n + r.rowsAffected, 0);
    const claimed = checkpoint ? (results[results.length - 1]?.rowsAffected ?? 0) > 0 : true;
    return { written, claimed };
  }

  /** The batch's error named by the row and column to blame, where the rows tell (see `namedInsertError`). */
  #named(error: unknown, rows: readonly unknown[][]) {
    const insertOne = (row: readonly unknown[]) => ({ sql: this.#sql(1), params: [...row] });
    const batch = { table: this.#table, columns: this.#columns, keyIndexes: this.#keyIndexes, rows, insertOne };
    return namedInsertError(error, this.#target, batch);
  }
}
