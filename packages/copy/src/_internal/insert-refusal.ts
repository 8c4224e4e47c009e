import { ConstraintError, ParameterError, SwitchyardError, encodeValue, type DatabaseAdapter, type Statement } from '@switchyard/core';
import { keyText } from './refused-row';

/** What a multi-row INSERT was sending: the table, its columns, and the rows in order. */
export interface InsertBatch {
  table: string;
  columns: readonly string[];
  /** The primary key's positions in a row. */
  keyIndexes: readonly number[];
  rows: readonly unknown[][];
  /** The INSERT of one row, with the batch's conflict clause. */
  insertOne(row: readonly unknown[]): Statement;
}

/**
 * The error a multi-row INSERT into SQLite or D1 ended with, named by the row's key and
 * the column where the rows tell which one, as a COPY into Postgres names the row it
 * refused; `undefined` when they do not. A value the target cannot bind (NaN, an int64
 * D1 would round, a held-back word) is found by encoding the column's values again; a
 * row the target refused (a CHECK, NOT NULL, UNIQUE), on a target with transactions, by
 * inserting the rows one at a time in a transaction that is then rolled back. The
 * operator then fixes one row instead of searching a batch of thousands.
 */
export async function namedInsertError(error: unknown, target: DatabaseAdapter, batch: InsertBatch): Promise<SwitchyardError | undefined> {
  if (error instanceof ParameterError && error.position !== undefined) return unboundValue(error, error.position, target, batch);
  if (error instanceof ConstraintError && target.capabilities.transactions) return refusedRow(error, target, batch);
  return undefined;
}

function unboundValue(error: ParameterError, position: number, target: DatabaseAdapter, batch: InsertBatch): ParameterError | undefined {
  const column = (position - 1) % batch.columns.length;
  for (const row of batch.rows) {
    try {
      encodeValue(row[column], position, target.dialect, target.capabilities);
    } catch {
      const reason = error.message.replace(/^Parameter \d+ is /, 'the value is ').replace(/^Parameter \d+: /, '');
      return new ParameterError(`${where(batch, row)}, column "${batch.columns[column]}": ${reason}`, {
        dialect: target.dialect,
        cause: error,
      });
    }
  }
  return undefined;
}

/** Thrown to roll the search's transaction back once the row is found (or none is). */
class SearchDone extends Error {}

async function refusedRow(error: ConstraintError, target: DatabaseAdapter, batch: InsertBatch): Promise<ConstraintError | undefined> {
  let found: { row: readonly unknown[]; cause: unknown } | undefined;
  await target
    .transaction(async (tx) => {
      for (const row of batch.rows) {
        const { sql, params } = batch.insertOne(row);
        const refused = await tx.execute(sql, params).then(
          () => undefined,
          (cause: unknown) => cause,
        );
        // Any other error ends the search too: on Postgres it aborts the transaction.
        if (refused instanceof ConstraintError) found = { row, cause: refused };
        if (refused !== undefined) break;
      }
      throw new SearchDone();
    })
    .catch(() => undefined);
  if (!found) return undefined;
  const message = (found.cause as Error).message;
  // The adapter's message starts with its name, which the text names already.
  const reason = (message.startsWith(`${target.name}: `) ? message.slice(target.name.length + 2) : message).replace(/\.$/, '');
  return new ConstraintError(
    `${where(batch, found.row)}: ${target.name} refused the row: ${reason}. ` +
      "Fix the row at the source, or relax the target's constraint and add it back after the copy.",
    { dialect: target.dialect, cause: error },
  );
}

const where = (batch: InsertBatch, row: readonly unknown[]) => `Table "${batch.table}", key (${keyText(row, batch.keyIndexes)})`;
