import {
  exactJsonText,
  exactTimestampText,
  isBlankPadded,
  qualifiedTableName,
  readTableName,
  storedTypeOf,
  withoutPadding,
  type DatabaseAdapter,
  type DialectName,
  type Statement,
  type TableInfo,
} from '@switchyard/core';
import { InsertWriter } from './insert-writer';
import { createPageReader } from './key-range';
import { encodeKey, type KeyValues } from './key-codec';
import { keyTuple, placeholderTuple } from './sql-text';
import type { Batch, TableJob } from './table-job';
import { createTextRound } from './text-reconcile';

const MAX_ROUNDS = 5;

/** What a batch wrote: its source rows, or the COPY text SQLite rendered, and the source's stamp before the read. */
export type Written = Pick<Batch, 'rows' | 'payload' | 'stamp'>;

/**
 * Closes the window between reading a batch and writing it while the application keeps
 * writing to both databases: a row updated or deleted on both sides inside that window
 * would otherwise come back stale (the copy's older read lands after the app's write).
 * The batch's key span is read again after the write, and rows that changed since are
 * upserted, rows that disappeared are deleted; repeated until the span reads the same
 * twice (bounded). Writes the app makes after this reach a row that already exists.
 * A SQLite source that vouches nothing was written since the batch was read (see
 * source-stamp) is not read again; a batch copied as COPY text is compared as text.
 */
export function createReconciler(source: DatabaseAdapter, target: DatabaseAdapter, job: TableJob) {
  const upsert = new InsertWriter(
    target,
    job.target,
    job.columns,
    'update',
    job.plan.rowsPerStatement,
    job.target.columns.some((c) => c.autoIncrement),
  );
  const deleteSql = `DELETE FROM ${readTableName(job.target, target.dialect)} WHERE ${keyTuple(job.target.primaryKey)} = ${placeholderTuple(job.target.primaryKey.length)}`;

  const readSpan = async (after: KeyValues | null, last: KeyValues, read = job.readPage): Promise<unknown[][]> => {
    const rows: unknown[][] = [];
    let from = after;
    for (;;) {
      const page = await read(from, last);
      rows.push(...page);
      if (page.length < job.plan.rowsPerBatch) return rows;
      from = job.keyOf(page[page.length - 1]!);
    }
  };

  /** One round: the span read again, and rows changed since `previous` rewritten on the target. */
  const round = async (
    after: KeyValues | null,
    last: KeyValues,
    previous: unknown[][],
    read = job.readPage,
  ): Promise<{ fresh: unknown[][]; changed: number }> => {
    const fresh = await readSpan(after, last, read);
    const before = new Map(previous.map((row) => [encodeKey(job.keyOf(row)), row]));
    const upserts: unknown[][] = [];
    for (const row of fresh) {
      const key = encodeKey(job.keyOf(row));
      const old = before.get(key);
      before.delete(key);
      if (!old || !rowsEqual(old, row)) upserts.push(row);
    }
    const deletes: Statement[] = [...before.values()].map((row) => ({ sql: deleteSql, params: job.targetKeyOf(row) }));
    if (deletes.length > 0) await target.batch(deletes);
    if (upserts.length > 0) await upsert.write(job.prepare(upserts).values, undefined);
    return { fresh, changed: upserts.length + deletes.length };
  };

  /** Rounds until the span reads the same twice; `round` compares rows or COPY text. */
  const rounds = async <S>(
    after: KeyValues | null,
    last: KeyValues,
    written: S,
    round: (after: KeyValues | null, last: KeyValues, previous: S, tx?: DatabaseAdapter) => Promise<{ fresh: S; changed: number }>,
  ): Promise<number> => {
    let previous = written;
    let changed = 0;
    for (let n = 0; n < MAX_ROUNDS; n++) {
      const result = await round(after, last, previous);
      if (result.changed === 0) return changed;
      changed += result.changed;
      previous = result.fresh;
    }
    // Still changing: a write may have landed between the last read and its rewrite. The
    // last round runs in a source transaction that app writes must wait for: on Postgres
    // the table in SHARE mode (row locks alone would let a key deleted and inserted again
    // land in between), on SQLite the write lock.
    if (!source.capabilities.transactions) return changed;
    const seen = previous;
    return (
      changed +
      (await source.transaction(async (tx) => {
        if (source.dialect === 'postgres') await tx.execute(`LOCK TABLE ${qualifiedTableName(job.source, source.dialect)} IN SHARE MODE`);
        return (await round(after, last, seen, tx)).changed;
      }))
    );
  };
  const rowRound = (after: KeyValues | null, last: KeyValues, previous: unknown[][], tx?: DatabaseAdapter) =>
    round(after, last, previous, tx ? job.readLocked(tx) : job.readPage);
  // Text pages are read on the source's one better-sqlite3 connection: inside the
  // transaction when one is open, so the text round needs no transaction handle.
  /** The span's current source rows, all upserted. */
  const upsertSpan = async (after: KeyValues | null, last: KeyValues): Promise<unknown[][]> => {
    const rows = await readSpan(after, last);
    if (rows.length > 0) await upsert.write(job.prepare(rows).values, undefined);
    return rows;
  };
  const textRound = createTextRound(target, job, deleteSql, upsert, upsertSpan);

  /** Returns the rows rewritten (upserted or deleted) to catch up with writes made during the batch. */
  const reconcile = async (after: KeyValues | null, last: KeyValues, written: Written): Promise<number> => {
    // Nothing written to the source since the batch was read: the span is as copied.
    if (job.sourceStamp?.unchangedSince(written.stamp)) return 0;
    if (written.rows) return rounds(after, last, written.rows, rowRound);
    if (!Array.isArray(written.payload) && textRound) return rounds(after, last, written.payload.text, textRound);
    return resync(after, last);
  };

  // Keys compared across engines only where both sides hold them alike: integers and text,
  // not a Postgres type that holds text in a form of its own (a uuid in lower case, an inet
  // without its /32), which the source's text would not find.
  const comparableKeys = job.target.primaryKey.every((k) => {
    const column = job.target.columns.find((c) => c.name === k);
    if (column?.logicalType === 'integer') return true;
    return column?.logicalType === 'text' && (target.dialect !== 'postgres' || KEEPS_TEXT.test(storedTypeOf(column)));
  });
  const targetKeys = createPageReader(target, job.target, job.target.primaryKey, job.plan.rowsPerBatch);
  // A Postgres character(n) key reads back padded ('ab   ') where the other side holds 'ab':
  // matched without the padding, or the target's row would be taken for one the source lost.
  const padded = job.target.primaryKey.map(
    (k, n) => blankPadded(job.target, k, target.dialect) || blankPadded(job.source, job.source.primaryKey[n], source.dialect),
  );
  const unpadded = (key: KeyValues): KeyValues => (padded.some(Boolean) ? key.map((v, n) => (padded[n] ? withoutPadding(v) : v)) : key);
  const existsSql = `SELECT 1 AS x FROM ${readTableName(job.source, source.dialect)} WHERE ${keyTuple(job.source.primaryKey)} = ${placeholderTuple(job.source.primaryKey.length)}`;

  /**
   * The reconcile of a batch committed by a run that died before reconciling it: what it
   * wrote is unknown, so the span's current source rows are all upserted, and target rows
   * of the span that the source no longer has are deleted (each checked by key against
   * the source, since the engines may order text keys differently); then the usual rounds.
   */
  const resync = async (after: KeyValues | null, last: KeyValues): Promise<number> => {
    const fresh = await upsertSpan(after, last);
    const present = new Set(fresh.map((row) => keyText(unpadded(job.targetKeyOf(row)))));
    const deletes: Statement[] = [];
    for (let from = after; comparableKeys;) {
      const page = await targetKeys(from, last);
      for (const key of page) {
        if (present.has(keyText(unpadded(key)))) continue;
        if (!(await source.first(existsSql, key))) deletes.push({ sql: deleteSql, params: key });
      }
      if (page.length < job.plan.rowsPerBatch) break;
      from = page[page.length - 1]!;
    }
    if (deletes.length > 0) await target.batch(deletes);
    return fresh.length + deletes.length + (await rounds(after, last, fresh, rowRound));
  };
  return { reconcile, resync };
}

/** Postgres text types that hold the text they are given (`character(n)` padded, which the resync takes off). */
const KEEPS_TEXT = /^(text|character varying|varchar|character|bpchar|citext|name)\b/i;

function blankPadded(table: TableInfo, name: string | undefined, dialect: DialectName): boolean {
  const column = table.columns.find((c) => c.name === name);
  return column !== undefined && isBlankPadded(column, dialect);
}

/** A key as text that is the same whichever engine returned it (numbers, bigints, dates, bytes). */
function keyText(key: KeyValues): string {
  return key
    .map((v) =>
      v instanceof Date
        ? exactTimestampText(v)
        : v instanceof Uint8Array
          ? Buffer.from(v).toString('hex')
          : typeof v === 'boolean'
            ? v
              ? '1'
              : '0'
            : String(v),
    )
    .join('\u0000');
}

function rowsEqual(a: unknown[], b: unknown[]): boolean {
  if (a.length !== b.length) return false;
  for (let i = 0; i < a.length; i++) if (!valueEqual(a[i], b[i])) return false;
  return true;
}

function valueEqual(a: unknown, b: unknown): boolean {
  if (a === b) return true;
  if (a instanceof Uint8Array && b instanceof Uint8Array) return Buffer.compare(a, b) === 0;
  if (a instanceof Date && b instanceof Date) return a.getTime() === b.getTime();
  if (a && b && typeof a === 'object' && typeof b === 'object') return exactJsonText(a) === exactJsonText(b);
  return false;
}
