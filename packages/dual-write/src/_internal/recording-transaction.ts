import type { CompiledQuery, Kysely } from 'kysely';
import {
  createAdapterKysely,
  createPreparedStatement,
  isWriteStatement,
  statementKind,
  type AdapterCapabilities,
  type CompiledQueryExecutor,
  type DatabaseAdapter,
  type DialectName,
  type ExecResult,
  type PreparedStatement,
  type Row,
  type Statement,
  type TableInfo,
  type TransactionSettings,
} from '@switchyard/core';
import { preflight } from './statement-preflight';
import { compileFor } from './write-op';

/**
 * The adapter handed to a dual-write `transaction(fn)` callback: it runs everything on
 * the primary's transaction and records each write as the secondary will run it, to be
 * replayed there after the primary commits. A nested transaction records into its own
 * list, kept only if it commits. Each write is checked against the secondary's limits
 * and encoding before it runs, so one the secondary would refuse rolls the transaction
 * back instead of committing on the primary alone.
 */
export class RecordingTransaction<DB = any> implements DatabaseAdapter<DB>, CompiledQueryExecutor {
  readonly #tx: DatabaseAdapter<DB>;
  readonly #secondary: DatabaseAdapter;
  readonly #recorded: Statement[];
  #db: Kysely<DB> | undefined;

  constructor(tx: DatabaseAdapter<DB>, secondary: DatabaseAdapter, recorded: Statement[]) {
    this.#tx = tx;
    this.#secondary = secondary;
    this.#recorded = recorded;
  }

  get name(): string {
    return this.#tx.name;
  }

  get dialect(): DialectName {
    return this.#tx.dialect;
  }

  get capabilities(): AdapterCapabilities {
    return this.#tx.capabilities;
  }

  get db(): Kysely<DB> {
    this.#db ??= createAdapterKysely<DB>(this, this.#tx.dialect);
    return this.#db;
  }

  async query<T = Row>(sql: string, params: readonly unknown[] = []): Promise<T[]> {
    if (!isWriteStatement(sql)) return this.#tx.query<T>(sql, params);
    preflight(this.#secondary, [{ sql, params }]);
    const result = await this.#tx.execute(sql, params);
    this.#record({ sql, params });
    return (result.rows ?? []) as T[];
  }

  async first<T = Row>(sql: string, params: readonly unknown[] = []): Promise<T | undefined> {
    return (await this.query<T>(sql, params))[0];
  }

  async execute(sql: string, params: readonly unknown[] = []): Promise<ExecResult> {
    const write = isWriteStatement(sql);
    if (write) preflight(this.#secondary, [{ sql, params }]);
    const result = await this.#tx.execute(sql, params);
    if (write) this.#record({ sql, params });
    return result;
  }

  async batch(statements: readonly Statement[]): Promise<ExecResult[]> {
    const writes = statements.filter((s) => isWriteStatement(s.sql));
    preflight(this.#secondary, writes);
    const results = await this.#tx.batch(statements);
    for (const s of writes) this.#record({ sql: s.sql, params: s.params ?? [] });
    return results;
  }

  prepare(sql: string): PreparedStatement {
    return createPreparedStatement(this, sql);
  }

  async transaction<T>(fn: (tx: DatabaseAdapter<DB>) => Promise<T>, settings?: TransactionSettings): Promise<T> {
    const nested: Statement[] = [];
    const result = await this.#tx.transaction((inner) => fn(new RecordingTransaction(inner, this.#secondary, nested)), settings);
    this.#recorded.push(...nested);
    return result;
  }

  introspect(): Promise<TableInfo[]> {
    return this.#tx.introspect();
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
    const kind = statementKind(own.sql);
    if (kind === 'read') return { rows: await this.#tx.query<Row>(own.sql, own.params), rowsAffected: 0 };
    const write = kind === 'write' || kind === 'schema';
    const forSecondary = write ? compileFor(this.#secondary, compiled, compiledFor) : undefined;
    if (forSecondary) preflight(this.#secondary, [forSecondary]);
    const result = await this.#tx.execute(own.sql, own.params ?? []);
    if (forSecondary) this.#record(forSecondary);
    return { ...result, rows: result.rows ?? [] };
  }

  #record(statement: Statement): void {
    this.#recorded.push({ sql: statement.sql, params: [...(statement.params ?? [])] });
  }
}
