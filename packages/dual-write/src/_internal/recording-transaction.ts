import type { CompiledQuery } from 'kysely';
import {
  type CompiledQueryExecutor,
  type DatabaseAdapter,
  type DialectName,
  type ExecResult,
  type Row,
  type Statement,
  type TransactionSettings,
} from '@switchyard/core';
import type { Replicator, TransactionRecord } from './replicator';
import type { SideStatement } from './replication-types';
import { imagesOf, refOf } from './row-images';
import { preflight } from './statement-preflight';
import { splitCaptured } from './write-capture';
import { mayWriteInCommonTables } from './cte-writes';
import { dualWriteKind, replicatesNothing, writesToBoth } from './primary-only';
import { planCteCapture, splitCteCapture } from './cte-capture';
import { currentRowsOf } from './row-resync';
import { dropsTemporaryTable } from './view-writes';
import { AdapterView } from './adapter-view';
import { compileFor, sideForm } from './write-op';
import { appResult, movedNothing, withKeyMoves } from './key-move-rows';
import type { TableCatalog } from './table-catalog';
import type { SchemaTranslator } from '../dual-write-options';
import { secondaryForms } from './translated-forms';

/** What a recording transaction needs from the dual-write adapter. */
export interface RecordingContext {
  replicator: Replicator;
  /** The tables the replicator reads: an update that moves keys is marked by them (see `withKeyMoves`). */
  catalog: TableCatalog;
  /** The primary adapter itself (its tables are looked up once, not per transaction). */
  primary: DatabaseAdapter;
  secondary: DatabaseAdapter;
  record: TransactionRecord;
  /** Refuses a schema change the secondary cannot parse, before the primary runs it (see `refuseUnrunnableSchema`). */
  checkSchema?: (statement: SideStatement) => Promise<void>;
  /** Set when a SQLite definition reaches a Postgres secondary translated (see `markTranslations`). */
  translateSchema?: SchemaTranslator;
  /** A statement's secondary form as the adapter's options mark it (`excludeTables`, `translateSchema`). */
  formOf?: (statement: SideStatement, schema: boolean) => SideStatement;
}

/**
 * The adapter handed to a dual-write `transaction(fn)` callback: it runs everything on
 * the primary's transaction, capturing the rows each write leaves (`RETURNING`), so that
 * after the commit those rows are settled on the secondary; a write that cannot be
 * captured is recorded as the secondary will run it. A nested transaction records into
 * its own list, kept only if it commits. Each write is checked against the secondary's limits
 * and encoding before it runs, so one the secondary would refuse rolls the transaction
 * back instead of committing on the primary alone.
 */
export class RecordingTransaction<DB = any> extends AdapterView<DB> implements DatabaseAdapter<DB>, CompiledQueryExecutor {
  readonly #tx: DatabaseAdapter<DB>;
  readonly #context: RecordingContext;
  readonly #secondary: DatabaseAdapter;

  constructor(tx: DatabaseAdapter<DB>, context: RecordingContext) {
    super(tx);
    this.#tx = tx;
    this.#context = context;
    this.#secondary = context.secondary;
  }

  async query<T = Row>(sql: string, params: readonly unknown[] = []): Promise<T[]> {
    if (!writesToBoth(sql)) return this.#tx.query<T>(sql, params);
    const forSecondary = this.#marked(sideForm(this.#secondary, { sql, params }));
    preflight(this.#secondary, [forSecondary]);
    const result = await this.#write(sideForm(this.#tx, { sql, params }), forSecondary);
    return (result.rows ?? []) as T[];
  }

  async execute(sql: string, params: readonly unknown[] = []): Promise<ExecResult> {
    if (!writesToBoth(sql)) return this.#tx.execute(sql, params);
    const forSecondary = this.#marked(sideForm(this.#secondary, { sql, params }));
    preflight(this.#secondary, [forSecondary]);
    return this.#write(sideForm(this.#tx, { sql, params }), forSecondary);
  }

  async batch(statements: readonly Statement[]): Promise<ExecResult[]> {
    preflight(
      this.#secondary,
      statements.filter((s) => writesToBoth(s.sql)),
    );
    // Inside a transaction a batch is a savepoint: statement by statement is just as atomic.
    return this.transaction(async (tx) => {
      const results: ExecResult[] = [];
      for (const s of statements) results.push(await tx.execute(s.sql, s.params ?? []));
      return results;
    });
  }

  async transaction<T>(fn: (tx: DatabaseAdapter<DB>) => Promise<T>, settings?: TransactionSettings): Promise<T> {
    const nested: TransactionRecord = { refs: [], images: [], replays: [], statements: [], captured: 0 };
    const result = await this.#tx.transaction(
      (inner) => fn(new RecordingTransaction(inner, { ...this.#context, record: nested })),
      settings,
    );
    const record = this.#context.record;
    record.refs.push(...nested.refs);
    if (nested.replaced) (record.replaced ??= []).push(...nested.replaced);
    record.images.push(...nested.images);
    record.replays.push(...nested.replays);
    record.captured += nested.captured;
    record.statements.push(...nested.statements);
    if (nested.moves) (record.moves ??= []).push(...nested.moves);
    if (nested.replayedRows) record.replayedRows = (record.replayedRows ?? 0) + nested.replayedRows;
    return result;
  }

  close(): Promise<void> {
    return this.#tx.close();
  }

  /** Runs a builder query compiled by this adapter's own `db`. */
  executeCompiled(compiled: CompiledQuery): Promise<ExecResult & { rows: unknown[] }> {
    return this.runCompiled(compiled, this.#tx.dialect);
  }

  /**
   * Runs a builder query compiled for `compiledFor` (the dual-write adapter's `db`
   * compiles for the dialect it was created with, which after a switch may not be the
   * primary's): each side gets it compiled for its own dialect.
   */
  async runCompiled(compiled: CompiledQuery, compiledFor: DialectName): Promise<ExecResult & { rows: unknown[] }> {
    const own = compileFor(this.#tx, compiled, compiledFor);
    const kind = dualWriteKind(own.sql);
    if (kind === 'read') return { rows: await this.#tx.query<Row>(own.sql, own.params), rowsAffected: 0 };
    const write = kind === 'write' || kind === 'schema';
    if (!write) {
      const result = await this.#tx.execute(own.sql, own.params ?? []);
      return { ...result, rows: result.rows ?? [] };
    }
    const forSecondary = this.#marked(compileFor(this.#secondary, compiled, compiledFor));
    preflight(this.#secondary, [forSecondary]);
    const result = await this.#write(own, forSecondary);
    return { ...result, rows: result.rows ?? [] };
  }

  /**
   * Runs one statement given in each side's form: a write with its rows captured, a
   * read as it is.
   */
  executeAs(statement: Statement, forSecondary: Statement): Promise<ExecResult> {
    if (!writesToBoth(statement.sql)) return this.#tx.execute(statement.sql, statement.params ?? []);
    return this.#write(statement, forSecondary);
  }

  /** A statement as the adapter's options mark it for the secondary (`translateSchema`), before it is checked there. */
  #marked(statement: SideStatement): SideStatement {
    const { formOf } = this.#context;
    return formOf ? formOf(statement, dualWriteKind(statement.sql) === 'schema') : statement;
  }

  /** Runs a write with its rows captured, or records it for replay when it cannot be. */
  async #write(statement: Statement, sideStatement: SideStatement): Promise<ExecResult> {
    const { replicator, catalog, primary, record, checkSchema, translateSchema, formOf } = this.#context;
    if (await dropsTemporaryTable(primary, statement.sql, this.#tx)) return this.#tx.execute(statement.sql, statement.params ?? []);
    const schema = dualWriteKind(statement.sql) === 'schema';
    const forSecondary = formOf ? formOf(sideStatement, schema) : sideStatement;
    if (checkSchema && schema) await checkSchema(forSecondary);
    record.statements.push({ sql: forSecondary.sql, params: [...(forSecondary.params ?? [])] });
    if (this.#tx.dialect === 'postgres' && mayWriteInCommonTables(statement.sql)) {
      const captured = await this.#writeCommonTables(statement, forSecondary);
      if (captured) return captured;
    }
    const [step] = await withKeyMoves(catalog, primary, await replicator.steps(primary, [statement], [forSecondary], this.#tx), this.#tx);
    if (step!.kind === 'replay') {
      const result = await this.#tx.execute(step!.primary.sql, step!.primary.params ?? []);
      if (replicatesNothing(step!)) return result;
      // Named here, where its reason is known; the count after the commit only adds it up. A
      // definition to translate keeps its mark: it is translated at the end (see `finishRecord`).
      const deferred = translateSchema && forSecondary.translation;
      const parts = { noteReplay: replicator.noteReplay.bind(replicator), options: { translateSchema } };
      const forms = deferred ? [forSecondary] : await secondaryForms(parts, this.#tx, { secondary: forSecondary, reason: step!.reason });
      const replays = forms.map((f) => ({ ...f, params: [...(f.params ?? [])] }));
      if (!movedNothing(step!, result)) {
        record.replays.push(...replays);
        record.replayedRows = (record.replayedRows ?? 0) + result.rowsAffected;
      }
      // The move names the statement as recorded: a mirror's entry finds it among the replays.
      return appResult({ ...step!, secondary: replays[0] ?? forSecondary }, result, record);
    }
    const { plan } = step!;
    const raw = await this.#tx.execute(plan.statement.sql, plan.statement.params ?? []);
    const { app, images } = splitCaptured(plan, raw);
    const captured = imagesOf(plan.table, images, plan.parsed.verb === 'delete');
    record.images.push(...captured);
    record.refs.push(...captured.map(refOf));
    if (plan.parsed.deletesExisting) (record.replaced ??= []).push(...captured.map(refOf));
    record.captured++;
    return app;
  }

  /**
   * A Postgres statement whose `WITH` list writes rows, run so that it names them (see
   * `planCteCapture`); its rows are read by key in this transaction. `undefined`, having
   * run nothing, when it cannot be: it is then replayed as a statement.
   */
  async #writeCommonTables(statement: Statement, forSecondary: Statement): Promise<ExecResult | undefined> {
    const { replicator, catalog, primary, record } = this.#context;
    const tableOf = (name: string) => catalog.table(primary, name, this.#tx);
    const plan = await planCteCapture(statement.sql, tableOf);
    // Named with why here: the replay's own reason would only say it is not one INSERT, UPDATE or DELETE.
    if (typeof plan === 'string') replicator.noteReplay(forSecondary.sql, plan);
    if (typeof plan !== 'object') return undefined;
    const { app, refs } = splitCteCapture(plan, await this.#tx.execute(plan.sql, statement.params ?? []));
    const images = await currentRowsOf(primary, tableOf, refs, { via: this.#tx });
    record.images.push(...images);
    record.refs.push(...images.map(refOf));
    record.captured++;
    return app;
  }
}
