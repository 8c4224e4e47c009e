import {
  InvalidArgumentError,
  storedTypeOf,
  UnholdableValue,
  type ColumnInfo,
  type DatabaseAdapter,
  type NormalizeOptions,
  type Row,
  type Statement,
  type TableInfo,
} from '@switchyard/core';
import { fetchByKeys } from './_internal/fetch-by-keys';
import { verifyRepair } from './_internal/repair-verify';
import { KeyCodec, keyId } from './_internal/key-codec';
import { repairJsonReads } from './_internal/json-reads';
import { comparisonType, enginePair, type KeyColumn } from './_internal/table-plan';
import { toTargetValue, unbindableReason } from './_internal/value-convert';
import { deleteStatements, hasUniqueKey, insertStatement, MAX_ROWS_PER_STATEMENT } from './_internal/repair-write';
import { repairRounds, type RepairPlan, type Replan } from './_internal/repair-rounds';
import type { RepairMismatch, RowKey, ValidationReport } from './validation-types';

export type { RepairMismatch } from './validation-types';

/**
 * Options of {@link repair}.
 *
 * @example
 * ```ts
 * await repair(report, source, target, { dryRun: true, deleteExtra: true });
 * ```
 */
export interface RepairOptions {
  /** Work out the statements without running them. Default `false`. */
  dryRun?: boolean;
  /** Delete rows found only in the target. Default `false`: extra rows are left alone and counted. */
  deleteExtra?: boolean;
  /** Statements per `batch()` call (each batch is atomic). Default `50`. */
  statementsPerBatch?: number;
  /** Timestamp precision the written rows are checked at, as in validation. Default `'us'`. */
  timestampPrecision?: NormalizeOptions['timestampPrecision'];
}

/**
 * What {@link repair} did (or would do) to one table.
 *
 * @example
 * ```ts
 * for (const t of result.tables) if (t.incomplete) console.warn(`${t.table}: validate and repair again`);
 * ```
 */
export interface TableRepair {
  table: string;
  /** Rows written from the source: missing ones inserted, differing ones overwritten. */
  upserted: number;
  /** Extra rows deleted (with `deleteExtra`). */
  deleted: number;
  /** Extra rows left in place: `deleteExtra` was off, the target refused the delete, or the source holds the row again. */
  extraKept: number;
  /** Keys the report listed that the source no longer holds; left alone. */
  goneFromSource: number;
  /** True when the report's lists were cut by `maxDifferences`: validate again and repair again. */
  incomplete: boolean;
  /** The statements run (or, with `dryRun`, that would run). */
  statements: Statement[];
  /** Rows read again after the write that still differ from the source (empty on a dry run). */
  stillDifferent: RepairMismatch[];
}

/**
 * The result of {@link repair}.
 *
 * @example
 * ```ts
 * const { upserted, deleted } = await repair(report, source, target);
 * ```
 */
export interface RepairResult {
  dryRun: boolean;
  tables: TableRepair[];
  upserted: number;
  deleted: number;
  /** Rows still different after the write, over all tables: non-zero means the repair did not succeed. */
  stillDifferent: number;
}

/**
 * Makes the target equal to the source for the differences a report found: rows missing
 * in the target are inserted and differing rows overwritten (INSERT ... ON CONFLICT (key)
 * DO UPDATE, on every engine), and extra rows deleted only with `deleteExtra`. Rows are
 * read again from the source by key, never taken from the report, and written in atomic
 * batches that stay within the target's parameter limit (D1: 100). Every written row is
 * then read again on both sides and compared; rows that still differ are listed in
 * `stillDifferent` with the reason (for example a target type that cannot hold the value).
 *
 * @example
 * ```ts
 * const report = await validateDatabases(source, target, { validateAllRows: true });
 * const plan = await repair(report, source, target, { dryRun: true });
 * await repair(report, source, target, { deleteExtra: true });
 * ```
 */
export async function repair(
  report: ValidationReport,
  source: DatabaseAdapter,
  target: DatabaseAdapter,
  options: RepairOptions = {},
): Promise<RepairResult> {
  const perBatch = options.statementsPerBatch ?? 50;
  if (!Number.isInteger(perBatch) || perBatch < 1) {
    throw new InvalidArgumentError(`repair: statementsPerBatch must be an integer >= 1, got ${String(perBatch)}.`);
  }
  const result: RepairResult = { dryRun: options.dryRun ?? false, tables: [], upserted: 0, deleted: 0, stillDifferent: 0 };
  const todo = report.tables.filter(
    (t) => t.keyColumns.length > 0 && t.missingInTargetCount + t.differentRowsCount + t.extraInTargetCount > 0,
  );
  if (todo.length === 0) return result;
  const [sourceTables, targetTables] = await Promise.all([source.introspect(), target.introspect()]);
  for (const table of todo) {
    const from = sourceTables.find((t) => t.name === table.table);
    const to = targetTables.find((t) => t.name === table.table);
    if (!from || !to) continue;
    const upsertKeys = [...table.missingInTarget, ...table.differentRows.map((d) => d.key)];
    const repaired = await repairTable(source, target, from, to, table.keyColumns, upsertKeys, table.extraInTarget, options);
    repaired.incomplete = table.truncated;
    if (!result.dryRun) {
      // Rows a live write moved on the source meanwhile: read and written again, or deleted if gone.
      const replan: Replan = (changed, gone) =>
        repairTable(source, target, from, to, table.keyColumns, [...changed, ...gone], gone, { ...options, deleteExtra: true });
      const done = await repairRounds(target, repaired, perBatch, replan);
      repaired.stillDifferent = done.stillDifferent;
      repaired.statements.push(...done.statements);
      result.stillDifferent += repaired.stillDifferent.length;
    }
    // After the write: an extra row the target would not delete is kept.
    repaired.extraKept = options.deleteExtra ? table.extraInTargetCount - repaired.deleted : table.extraInTargetCount;
    const planned: Partial<PlannedRepair> = repaired;
    delete planned.verify;
    delete planned.units;
    delete planned.heldBack;
    result.tables.push(repaired);
    result.upserted += repaired.upserted;
    result.deleted += repaired.deleted;
  }
  return result;
}

async function repairTable(
  source: DatabaseAdapter,
  target: DatabaseAdapter,
  from: TableInfo,
  to: TableInfo,
  keyNames: string[],
  upsertKeys: RowKey[],
  extraKeys: RowKey[],
  options: RepairOptions,
): Promise<PlannedRepair> {
  let sourceRows: Map<string, Row> = new Map();
  let deletedKeys: RowKey[] = [];
  const heldBack = new Map<string, string[]>();
  const out: PlannedRepair = {
    table: from.name,
    upserted: 0,
    deleted: 0,
    extraKept: 0,
    goneFromSource: 0,
    incomplete: false,
    statements: [],
    stillDifferent: [],
    units: [],
    heldBack,
    verify: () =>
      verifyRepair(
        source,
        target,
        { from, to },
        compared,
        keys,
        codec,
        sourceRows,
        heldBack,
        {
          timestampPrecision: options.timestampPrecision ?? 'us',
        },
        { ...reads.verify, written: reads.write },
        deletedKeys,
      ),
  };
  const targetColumns = new Map(to.columns.map((c) => [c.name, c]));
  // Every column is read back; a column the target computes itself is not written (Postgres and SQLite refuse a value).
  const compared = from.columns.filter((c) => targetColumns.has(c.name)).map((c) => ({ from: c, to: targetColumns.get(c.name)! }));
  const pairs = compared.filter((p) => !p.to.generated);
  // JSON read from Postgres as its text, and written as it is: key order, duplicate keys and spacing kept.
  const reads = repairJsonReads(enginePair(source.dialect, target.dialect), compared);
  const keys: KeyColumn[] = keyNames.map((name) => {
    const pair = pairs.find((p) => p.from.name === name)!;
    const type = comparisonType(pair.from.logicalType, pair.to.logicalType) ?? pair.from.logicalType;
    return { name, type, order: 'text', declaredType: storedTypeOf(pair.from), nullable: pair.from.nullable };
  });
  const codec = new KeyCodec(keys, {});
  const maxParams = target.capabilities.maxBoundParameters;

  if (upsertKeys.length > 0) {
    const rows = await fetchByKeys(
      source,
      from,
      keys,
      pairs.map((p) => p.from.name),
      upsertKeys,
      codec,
      reads.write,
    );
    sourceRows = rows;
    out.goneFromSource = upsertKeys.filter((k) => !rows.has(keyId(codec.parts(k)))).length;
    const written: { id: string; values: unknown[] }[] = [];
    for (const [id, row] of rows) {
      const converted = pairs.map((p) => (reads.write.has(p.from.name) ? row[p.from.name] : convert(row, p, source, target)));
      // A value the target cannot hold as the source does is not written as something else.
      const reasons = converted.flatMap((v, i) => {
        const reason = v instanceof UnholdableValue ? v.reason : unbindableReason(v, target);
        return reason ? [`${pairs[i]!.from.name}: not written: ${reason}`] : [];
      });
      if (reasons.length > 0) heldBack.set(id, reasons);
      else written.push({ id, values: converted });
    }
    const perInsert = Math.max(1, Math.min(MAX_ROWS_PER_STATEMENT, Math.floor(maxParams / pairs.length)));
    const upsert = hasUniqueKey(to, keyNames);
    // Without a unique key a row is replaced by delete + insert, which commit together.
    const write = (chunk: unknown[][]): Statement[] => [
      ...(upsert
        ? []
        : deleteStatements(
            to,
            keys,
            chunk.map((v) => keyOf(v, pairs, keyNames)),
            maxParams,
          )),
      insertStatement(
        to,
        pairs.map((p) => p.to),
        keyNames,
        chunk,
        upsert,
      ),
    ];
    for (let i = 0; i < written.length; i += perInsert) {
      const chunk = written.slice(i, i + perInsert);
      const statements = write(chunk.map((r) => r.values));
      const rowsOf = chunk.map((r) => ({ id: r.id, key: keyOf(r.values, pairs, keyNames), alone: () => write([r.values]) }));
      out.units.push({ statements, rows: rowsOf });
    }
    out.upserted = written.length;
  }
  if (options.deleteExtra && extraKeys.length > 0) {
    // A row the source holds again (a live write since the report) is not deleted from the target.
    const present = await fetchByKeys(source, from, keys, keyNames, extraKeys, codec, reads.write);
    extraKeys = extraKeys.filter((k) => !present.has(keyId(codec.parts(k))));
    deletedKeys = extraKeys;
    const perDelete = Math.max(1, Math.min(MAX_ROWS_PER_STATEMENT, Math.floor(maxParams / keys.length)));
    for (let i = 0; i < extraKeys.length; i += perDelete) {
      const chunk = extraKeys.slice(i, i + perDelete);
      const rows = chunk.map((key) => ({
        id: keyId(codec.parts(key)),
        key,
        deletes: true,
        alone: () => deleteStatements(to, keys, [key], maxParams),
      }));
      out.units.push({ statements: deleteStatements(to, keys, chunk, maxParams), rows });
    }
    out.deleted = extraKeys.length;
  }
  out.statements = out.units.flatMap((u) => u.statements);
  return out;
}

// A table's plan: its statements by the rows they write, and the check to run once they are written.
type PlannedRepair = TableRepair & RepairPlan;

function convert(row: Row, pair: { from: ColumnInfo; to: ColumnInfo }, source: DatabaseAdapter, target: DatabaseAdapter): unknown {
  return toTargetValue(row[pair.from.name], pair.from, source.dialect, pair.to, target.dialect);
}

function keyOf(values: unknown[], pairs: { from: ColumnInfo }[], keyNames: string[]): RowKey {
  const key: RowKey = {};
  for (const name of keyNames) key[name] = values[pairs.findIndex((p) => p.from.name === name)];
  return key;
}
