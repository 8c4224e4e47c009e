import type { CompiledQuery } from 'kysely';
import {
  UnsupportedError,
  statementKind,
  type DatabaseAdapter,
  type ExecResult,
  type Row,
  type Statement,
  type TransactionSettings,
} from '@switchyard/core';
import type { DualWriteCore } from './dual-write-core';
import { routeRead } from './read-router';
import { RecordingTransaction } from './recording-transaction';
import { refuseUnrunnableSchema } from './schema-parse-check';
import type { SideStatement, TransactionRecord } from './replication-types';
import { checkLimits, preflight } from './statement-preflight';
import { compileFor, sideForm, type WriteOp } from './write-op';
import { DualWriteSession } from './dual-write-session';
import { mayWriteInCommonTables, writingCommonTables } from './cte-writes';
import { rowStatementsOf } from './several-statements';
import { dropsTemporaryTable } from './view-writes';
import { markTranslations } from './translated-definitions';
import { excludedForms } from './excluded-tables';
import { finishRecord } from './transaction-finish';
import { refuseActingRebuild } from './translated-sqlite-forms';

const emptyRecord = (): TransactionRecord => ({ refs: [], images: [], replays: [], statements: [], captured: 0 });

/**
 * A read through the dual-write adapter: checked against the secondary's limits (so it
 * keeps working after a switch), routed to the primary or the secondary's share, and
 * passed to the rehearsal.
 */
export async function routedRead<R>(
  core: DualWriteCore,
  statements: readonly Statement[],
  run: (side: DatabaseAdapter) => Promise<R>,
  rowsOf: (value: R) => Row[],
  rehearsalRows: (value: R, i: number) => Row[] | undefined,
): Promise<R> {
  if (core.fleet) await core.fleet.admit();
  checkLimits(core.secondary, statements);
  const texts = statements.map((s) => s.sql);
  return core.rehearsed(statements, routeRead(core.route(), texts[0]!, run, rowsOf, texts), rehearsalRows);
}

/** The write path: the primary, then the secondary through the sink (by key now, or by the mirror later). */
export function write(core: DualWriteCore, op: WriteOp): Promise<ExecResult[]> {
  if (writesInTransaction(core, op)) return writeInTransaction(core, op);
  return core.shared(async () => {
    await core.book.ready();
    const primary = core.primary;
    const secondary = core.secondary;
    const index = core.primaryIndex;
    const forSecondary = secondaryFormsOf(core, op.bySide[1 - index]!, op.schema);
    preflight(secondary, forSecondary);
    if (op.schema) await refuseSchemaChange(core, forSecondary);
    const own = op.bySide[index]!;
    if (op.kind === 'execute' && (await dropsTemporaryTable(primary, own[0]!.sql)))
      return [await primary.execute(own[0]!.sql, own[0]!.params ?? [])];
    const results = await core.sink.write({ kind: op.kind, primary, secondary, own, forSecondary, label: op.label });
    if (op.schema) core.invalidate();
    if (!op.compiled) void core.rehearsed(op.bySide[index]!, Promise.resolve(results), () => undefined);
    return results;
  });
}

/**
 * Refuses, before the primary runs them, definitions the secondary cannot run (see
 * `refuseUnrunnableSchema`) or could run only by losing rows (see `refuseActingRebuild`).
 */
async function refuseSchemaChange(core: DualWriteCore, statements: readonly SideStatement[]): Promise<void> {
  const { primary, secondary } = core;
  await refuseUnrunnableSchema(core, secondary, statements);
  await refuseActingRebuild(() => core.catalog.all(primary), secondary, statements);
}

/**
 * Writes captured inside a transaction: a batch that changes tables and then writes rows
 * (a migration that adds a column and fills it), whose rows are read as the batch left
 * them, after the change; and on Postgres a statement whose `WITH` list writes rows, whose
 * rows are read by key after it runs (see `planCteCapture`), and a text of several
 * statements, each captured on its own (see `rowStatementsOf`).
 */
function writesInTransaction(core: DualWriteCore, op: WriteOp): boolean {
  const primary = core.primary;
  if (!primary.capabilities.transactions) return false;
  const own = op.bySide[core.primaryIndex]!;
  if (op.schema && op.kind === 'batch' && definitionThenWrite(own)) return true;
  if (primary.dialect !== 'postgres') return false;
  return own.some((s) => (mayWriteInCommonTables(s.sql) && writingCommonTables(s.sql) !== undefined) || rowStatementsOf(s) !== undefined);
}

/** Whether a write comes after a definition among `statements`: its capture is planned for the table as it was before. */
function definitionThenWrite(statements: readonly Statement[]): boolean {
  const first = statements.findIndex((s) => statementKind(s.sql) === 'schema');
  return first >= 0 && statements.slice(first + 1).some((s) => statementKind(s.sql) === 'write');
}

/** `op` as a transaction of its statements, each in both sides' forms (the primary may have changed since `op` was made). */
function writeInTransaction(core: DualWriteCore, op: WriteOp): Promise<ExecResult[]> {
  return runTransaction(core, async (tx) => {
    const index = core.primaryIndex;
    const forSecondary = op.bySide[1 - index]!;
    preflight(core.secondary, forSecondary);
    const recorder = tx as RecordingTransaction;
    const results: ExecResult[] = [];
    for (const [i, s] of op.bySide[index]!.entries()) {
      const parts = rowStatementsOf(s);
      if (!parts) {
        results.push(await recorder.executeAs(s, forSecondary[i] ?? s));
        continue;
      }
      // As Postgres answers such a text: the last statement's rows, and the rows all of them wrote.
      let last: ExecResult = { rowsAffected: 0 };
      let written = 0;
      for (const sql of parts) {
        last = await recorder.executeAs({ sql }, sideForm(core.secondary, { sql }));
        written += last.rowsAffected;
      }
      results.push({ rows: last.rows ?? [], rowsAffected: written });
    }
    if (!op.compiled) void core.rehearsed(op.bySide[index]!, Promise.resolve(results), () => undefined);
    return results;
  });
}

/**
 * One statement written within this call, when nothing it needs would make it wait: the
 * gate open, the journal counted, no fleet record or rehearsal to consult, and a sink
 * that can write now (an outbox in a better-sqlite3 primary, whose transaction never
 * yields). `undefined`, having run nothing, when it must take `write()`.
 */
export function writeNow(core: DualWriteCore, sql: string, params: readonly unknown[]): Promise<ExecResult> | undefined {
  const sink = core.sink;
  if (!sink.writeNow || core.fleet || core.options.rehearse || !core.book.isReady || statementKind(sql) !== 'write') return undefined;
  const release = core.gate.tryShared('gate');
  if (!release) return undefined;
  let done: Promise<ExecResult> | undefined;
  try {
    const { primary, secondary } = core;
    const statement = { sql, params };
    const [forSecondary] = excludedForms(core.options.excludeTables, [sideForm(secondary, statement)]);
    preflight(secondary, [forSecondary!]);
    const w = {
      kind: 'execute' as const,
      primary,
      secondary,
      own: [sideForm(primary, statement)],
      forSecondary: [forSecondary!],
      label: sql,
    };
    done = sink.writeNow(w, release, firstResult);
  } catch (error) {
    release();
    return Promise.reject(error as Error);
  }
  if (!done) release();
  return done;
}

const firstResult = (results: ExecResult[]): ExecResult => results[0]!;

/**
 * `transaction(fn)` on the primary with a recording `tx`; after the commit the rows it
 * wrote are settled on the secondary (or, in async mode, its mirror entry committed with it).
 */
export async function runTransaction<T, DB>(
  core: DualWriteCore,
  fn: (tx: DatabaseAdapter<DB>) => Promise<T>,
  settings?: TransactionSettings,
): Promise<T> {
  if (!core.primary.capabilities.transactions) {
    throw new UnsupportedError(
      `${core.primary.name} (the primary) has no interactive transactions. Use batch([...statements]), which runs atomically on each side.`,
      { dialect: core.primary.dialect },
    );
  }
  return core.shared(async () => {
    await core.book.ready();
    const { primary, secondary, replicator } = core;
    const record = emptyRecord();
    const started = core.metrics.now();
    const sink = await core.sink.openTransaction(primary, secondary, record);
    // Settings (isolation level, access mode) apply on the primary, where the transaction runs.
    const labelOf = () => record.statements.map((s) => s.sql).join(';\n');
    // Until the callback returns no COMMIT was sent: a failure before it rolled the transaction back.
    let committing = false;
    const result = await primary
      .transaction(async (tx) => {
        const checkSchema = (s: SideStatement) => refuseSchemaChange(core, [s]);
        const translateSchema = core.options.translateSchema;
        const formOf = (s: SideStatement, schema: boolean) => secondaryFormsOf(core, [s], schema)[0]!;
        const context = { replicator, catalog: core.catalog, primary, secondary, record, checkSchema, translateSchema, formOf };
        const value = await fn(new RecordingTransaction<DB>(tx as DatabaseAdapter<DB>, context));
        await finishRecord(context, tx);
        await sink.beforeCommit(tx);
        committing = true;
        return value;
      }, settings)
      .catch(async (error: unknown) => {
        if (committing && record.statements.length > 0) await sink.afterFailure?.(labelOf(), error);
        throw error;
      });
    core.metrics.recordPrimary(started);
    if (record.statements.length === 0) return result;
    if (record.statements.some((s) => statementKind(s.sql) === 'schema')) core.invalidate();
    const label = labelOf();
    await sink.afterCommit(label);
    return result;
  });
}

/**
 * A Kysely builder query on the dual-write adapter (`self`) or a transaction or session
 * of it: a read routed like any read (compiled for the side that answers), a write
 * compiled per side and written through the row-image path.
 */
export async function executeBuilderQuery(
  core: DualWriteCore,
  self: DatabaseAdapter,
  compiled: CompiledQuery,
  target: DatabaseAdapter,
): Promise<ExecResult & { rows: unknown[] }> {
  if (target instanceof RecordingTransaction || target instanceof DualWriteSession) return target.runCompiled(compiled, core.kyselyDialect);
  if (target !== self) {
    const result = await target.execute(compiled.sql, compiled.parameters);
    return { ...result, rows: result.rows ?? [] };
  }
  if (core.classify(compiled.sql) === 'read') {
    const run = (side: DatabaseAdapter) => {
      const s = compileFor(side, compiled, core.kyselyDialect);
      return side.query<Row>(s.sql, s.params);
    };
    // Builder reads are not rehearsed: the rehearsal compares raw SQL as the app wrote it.
    if (core.fleet) await core.fleet.admit();
    checkLimits(core.secondary, [{ sql: compiled.sql, params: compiled.parameters }]);
    return { rows: await routeRead(core.route(), compiled.sql, run, (r) => r), rowsAffected: 0 };
  }
  const [result] = await write(core, core.op('execute', [], compiled));
  return { ...result!, rows: result!.rows ?? [] };
}

/**
 * The secondary's forms of a write's statements: those of `excludeTables` marked to run on
 * the primary alone (see `excludedForms`), and SQLite definitions marked for `translateSchema`
 * (see `markTranslations`).
 */
function secondaryFormsOf(core: DualWriteCore, statements: SideStatement[], schema: boolean): SideStatement[] {
  const kept = excludedForms(core.options.excludeTables, statements);
  const translating = schema && core.options.translateSchema;
  return translating ? markTranslations(core.primary, core.secondary, kept, translating) : kept;
}
