import {
  converterFor,
  InvalidArgumentError,
  isArrayColumn,
  nativeHandle,
  type Converter,
  type DatabaseAdapter,
  type Row,
  type TableInfo,
} from '@switchyard/core';
import { planBatch, type BatchPlan } from '../batch-plan';
import type { ResolvedCopyOptions } from './resolved-copy-options';
import { InsertWriter, type RowWriter } from './insert-writer';
import type { KeyValues } from './key-codec';
import { createPageReader, type PageReader } from './key-range';
import { refuseBareJsonNumber, roundsBareJsonNumbers } from './json-number-guard';
import { refuseInvalidCopyText, refuseInvalidText } from './text-guard';
import { PostgresCopyWriter, loadCopyFrom } from './postgres-copy-writer';
import { generatedColumnNames } from './generated-columns';
import { arrayConverterFor } from './array-literal';
import { createCopyTextReader, needsRowPath, rendersExactFloats, type CopyText } from './sqlite-copy-text';
import { createSourceStamp, type SourceStamp } from './source-stamp';
import { copyTextKey } from './text-reconcile';
import { convertNamed } from './refused-row';

/** One batch read from the source, ready for the writer. */
export interface Batch {
  /** Rows read from the source. */
  count: number;
  /** Key of the last row read; `null` when the page was empty. */
  lastKey: KeyValues | null;
  /** What the writer takes: converted rows, or a page already rendered as COPY text. */
  payload: unknown[][] | CopyText;
  /** Rows read but written (arrays), for reconcile; absent for COPY text pages. */
  rows?: unknown[][];
  /** Rows `transform` left out. */
  dropped: number;
  /** The source's write stamp taken before the read (see source-stamp). */
  stamp?: string;
}

/** Everything needed to copy one table, prepared once. */
export interface TableJob {
  source: TableInfo;
  target: TableInfo;
  columns: string[];
  plan: BatchPlan;
  writer: RowWriter;
  /** Rows as arrays in read order: the copied columns, then key columns not copied. */
  readPage: PageReader;
  /** The same pages read inside a source transaction `tx`, with the rows locked where the engine can. */
  readLocked: (tx: DatabaseAdapter) => PageReader;
  keyOf(row: unknown[]): KeyValues;
  /** A row's key as the target holds it, converted as the row is written (a `character(n)` key unpadded on SQLite, say). */
  targetKeyOf(row: unknown[]): KeyValues;
  /** Transforms and converts a page; rows dropped by `transform` are counted. */
  prepare(rows: unknown[][]): { values: unknown[][]; dropped: number };
  /** Reads and prepares the next batch of a range. */
  readBatch(after: KeyValues | null, end: KeyValues | null): Promise<Batch>;
  /** Pages rendered by SQLite as COPY text, when batches are read that way. */
  readText?: (after: KeyValues | null, end: KeyValues | null) => Promise<CopyText>;
  /** Whether the source was written to since a batch was read; SQLite sources only. */
  sourceStamp?: SourceStamp;
}

/**
 * Matches a source table to its target table and prepares reading, converting and
 * writing. Refuses what cannot be copied resumably or without loss: no primary key, a
 * table or column missing from the target.
 */
export async function prepareTableJob(
  sourceDb: DatabaseAdapter,
  targetDb: DatabaseAdapter,
  source: TableInfo,
  targetTables: readonly TableInfo[],
  options: ResolvedCopyOptions,
): Promise<TableJob> {
  const target =
    targetTables.find((t) => t.name === source.name) ?? targetTables.find((t) => t.name.toLowerCase() === source.name.toLowerCase());
  if (!target) {
    throw new InvalidArgumentError(
      `Table "${source.name}" does not exist in the target (${targetDb.name}). Create it first, e.g. run the statements of ` +
        `translateSchema(await source.introspect(), '${targetDb.dialect}') on the target, or leave it out of the copy (exclude).`,
    );
  }
  if (source.primaryKey.length === 0) {
    throw new InvalidArgumentError(
      `Table "${source.name}" has no primary key: copyTables pages by primary key to resume without duplicates. ` +
        'Add a primary key (or a unique NOT NULL key made primary), or leave the table out of options.tables.',
    );
  }
  // A column the target computes takes no value; one only the source computes is copied
  // where the target keeps it as a plain column, and needs no column there otherwise.
  const computed = generatedColumnNames(target);
  const computedAtSource = generatedColumnNames(source);
  const targetColumns = new Map(target.columns.filter((c) => !computed.has(c.name.toLowerCase())).map((c) => [c.name.toLowerCase(), c]));
  const missing = source.columns
    .filter(
      (c) => !computed.has(c.name.toLowerCase()) && !computedAtSource.has(c.name.toLowerCase()) && !targetColumns.has(c.name.toLowerCase()),
    )
    .map((c) => c.name);
  if (missing.length > 0 && !options.transform) {
    throw new InvalidArgumentError(
      `Table "${source.name}": column(s) ${missing.map((m) => `"${m}"`).join(', ')} missing from the target. ` +
        'Add them to the target table, or pass a transform that removes them.',
    );
  }
  const pairs = source.columns
    .filter((c) => targetColumns.has(c.name.toLowerCase()))
    .map((c) => ({ source: c, target: targetColumns.get(c.name.toLowerCase())! }));
  const columns = pairs.map((p) => p.target.name);
  const sourceNames = pairs.map((p) => p.source.name);
  const targetPk = target.primaryKey.length > 0 ? target.primaryKey : source.primaryKey;
  const targetForWrite: TableInfo = { ...target, primaryKey: targetPk };
  const converters: (Converter | undefined)[] = pairs.map(
    (p) => arrayConverterFor(p.target, targetDb.dialect) ?? converterFor(p.source, sourceDb.dialect, p.target, targetDb.dialect),
  );
  // SQLite/D1 JSON columns whose affinity would turn a bare big JSON number into a double.
  const roundsBare = pairs.map((p) => roundsBareJsonNumbers(p.target, targetDb.dialect));
  const overriding = pairs.some((p) => p.target.autoIncrement);
  const onConflict = options.onConflict;

  let writer: RowWriter | undefined;
  let plan: BatchPlan;
  const pg = options.copyFastPath ? nativeHandle(targetDb, 'pg') : undefined;
  const copyFrom = pg ? await loadCopyFrom() : undefined;
  if (pg && copyFrom) {
    // COPY has no parameter limit: the batch is bounded only to keep memory flat.
    plan = planBatch({ maxBoundParameters: 65535 }, columns.length, options.batchSize ?? 10_000);
    writer = new PostgresCopyWriter(pg, copyFrom, targetForWrite, columns, onConflict, overriding);
  } else {
    plan = planBatch(targetDb.capabilities, columns.length, options.batchSize);
    writer = new InsertWriter(targetDb, targetForWrite, columns, onConflict, plan.rowsPerStatement, overriding);
  }

  // Rows are read with the source's column names: the copied columns first, in target
  // order, then key columns and (for transform) extra columns the target lacks.
  const readColumns = [...new Set([...sourceNames, ...source.primaryKey, ...(options.transform ? missing : [])])];
  const keyIndexes = source.primaryKey.map((k) => readColumns.indexOf(k));
  const transform = options.transform;
  const width = columns.length;
  // A transform sees documents as pg parses them (a bare value as a value, not its text).
  const json = options.transform ? undefined : targetDb.dialect === 'postgres' ? ('exact' as const) : ('document' as const);
  const readPage = refuseInvalidText(
    sourceDb,
    source,
    readColumns,
    createPageReader(sourceDb, source, readColumns, plan.rowsPerBatch, { json }),
  );
  // SQLite -> Postgres COPY: SQLite renders each page as COPY text itself (see sqlite-copy-text).
  const raw = nativeHandle(sourceDb, 'better-sqlite3')?.database;
  const readText =
    writer.method === 'copy' &&
    !transform &&
    (!options.reconcile || copyTextKey(source.primaryKey, targetPk, columns)) &&
    raw &&
    rendersExactFloats(raw) &&
    // A Postgres array column takes `{…}`, not the JSON text SQLite holds: converted row by row.
    !pairs.some((p) => isArrayColumn(p.target))
      ? refuseInvalidCopyText(
          createCopyTextReader(
            raw,
            source,
            pairs.map((p) => ({ source: p.source.name, target: p.target })),
            plan.rowsPerBatch,
          ),
          readPage,
        )
      : undefined;
  const job: TableJob = {
    source,
    target: targetForWrite,
    columns,
    plan,
    writer,
    readPage,
    readText,
    sourceStamp: options.reconcile === false ? undefined : createSourceStamp(sourceDb),
    readLocked: (tx) =>
      refuseInvalidText(tx, source, readColumns, createPageReader(tx, source, readColumns, plan.rowsPerBatch, { lock: true, json })),
    keyOf: (row) => keyIndexes.map((i) => row[i]),
    targetKeyOf: (row) =>
      keyIndexes.map((i) => {
        const convert = converters[i];
        return convert && row[i] !== null && row[i] !== undefined ? convert(row[i]) : row[i];
      }),
    prepare(rows) {
      const values: unknown[][] = [];
      let dropped = 0;
      for (const raw of rows) {
        let row = raw;
        if (transform) {
          const object: Row = {};
          for (let i = 0; i < readColumns.length; i++) object[readColumns[i]!] = raw[i];
          const out = transform(object, source.name);
          if (!out) {
            dropped++;
            continue;
          }
          row = sourceNames.map((n) => out[n]);
        }
        const out = new Array<unknown>(width);
        for (let i = 0; i < width; i++) {
          const v = row[i];
          if (roundsBare[i])
            refuseBareJsonNumber(v, { table: source.name, keyIndexes, row: raw, target: pairs[i]!.target, dialect: targetDb.dialect });
          const conv = converters[i];
          out[i] =
            v === undefined ? null : conv && v !== null ? convertNamed(conv, v, source.name, keyIndexes, raw, pairs[i]!.target.name) : v;
        }
        values.push(out);
      }
      return { values, dropped };
    },
    async readBatch(after, end) {
      const stamp = job.sourceStamp?.take();
      if (readText) {
        const text = await readText(after, end);
        if (!needsRowPath(text.text)) return { count: text.count, lastKey: text.lastKey, payload: text, dropped: 0, stamp };
      }
      const rows = await readPage(after, end);
      const { values, dropped } = job.prepare(rows);
      return { count: rows.length, lastKey: rows.length ? job.keyOf(rows[rows.length - 1]!) : null, payload: values, rows, dropped, stamp };
    },
  };
  return job;
}
