import {
  Kysely,
  PostgresAdapter,
  PostgresIntrospector,
  PostgresQueryCompiler,
  SelectQueryNode,
  SqliteAdapter,
  SqliteIntrospector,
  SqliteQueryCompiler,
  type CompiledQuery,
  type DatabaseConnection,
  type DatabaseIntrospector,
  type Dialect,
  type DialectAdapter,
  type Driver,
  type QueryCompiler,
  type QueryResult,
} from 'kysely';
import type { DatabaseAdapter, DialectName, ExecResult } from './types';

/**
 * An adapter that runs Kysely's compiled queries itself, instead of their SQL text.
 * The dual-write adapter implements it to compile one query tree for each side's dialect.
 */
export interface CompiledQueryExecutor {
  executeCompiled(query: CompiledQuery, target: DatabaseAdapter): Promise<ExecResult & { rows: unknown[] }>;
}

function hasCompiledExecutor(adapter: unknown): adapter is CompiledQueryExecutor {
  return typeof (adapter as Partial<CompiledQueryExecutor>).executeCompiled === 'function';
}

/**
 * A Kysely dialect that runs on a Switchyard adapter: SQL is compiled for the adapter's
 * engine, and executed through the adapter, so parameter encoding, limits and typed
 * errors apply to builder queries exactly as to raw SQL.
 */
export class AdapterDialect implements Dialect {
  readonly #adapter: DatabaseAdapter;
  readonly #dialect: DialectName;

  constructor(adapter: DatabaseAdapter, dialect: DialectName = adapter.dialect) {
    this.#adapter = adapter;
    this.#dialect = dialect;
  }

  createAdapter(): DialectAdapter {
    return this.#dialect === 'postgres' ? new PostgresAdapter() : new SqliteAdapter();
  }

  createDriver(): Driver {
    return new AdapterDriver(this.#adapter);
  }

  createQueryCompiler(): QueryCompiler {
    return this.#dialect === 'postgres' ? new PostgresQueryCompiler() : new SqliteQueryCompiler();
  }

  createIntrospector(db: Kysely<any>): DatabaseIntrospector {
    return this.#dialect === 'postgres' ? new PostgresIntrospector(db) : new SqliteIntrospector(db);
  }
}

/** `new Kysely({ dialect: new AdapterDialect(adapter) })`. */
export function createAdapterKysely<DB>(adapter: DatabaseAdapter, dialect?: DialectName): Kysely<DB> {
  return new Kysely<DB>({ dialect: new AdapterDialect(adapter, dialect) });
}

class AdapterDriver implements Driver {
  readonly #adapter: DatabaseAdapter;

  constructor(adapter: DatabaseAdapter) {
    this.#adapter = adapter;
  }

  async init(): Promise<void> {}

  async acquireConnection(): Promise<DatabaseConnection> {
    return new AdapterConnection(this.#adapter);
  }

  async beginTransaction(connection: DatabaseConnection): Promise<void> {
    await (connection as AdapterConnection).begin();
  }

  async commitTransaction(connection: DatabaseConnection): Promise<void> {
    await (connection as AdapterConnection).end('commit');
  }

  async rollbackTransaction(connection: DatabaseConnection): Promise<void> {
    await (connection as AdapterConnection).end('rollback');
  }

  async releaseConnection(): Promise<void> {}

  async destroy(): Promise<void> {}
}

const ROLLBACK = Symbol('rollback');

/**
 * Kysely drives transactions with begin/commit/rollback calls, while adapters take a
 * callback. The connection bridges the two: `begin` opens `adapter.transaction` and
 * parks inside it until `end` releases it.
 */
class AdapterConnection implements DatabaseConnection {
  readonly #root: DatabaseAdapter;
  #target: DatabaseAdapter;
  #release: ((outcome: 'commit' | typeof ROLLBACK) => void) | undefined;
  #finished: Promise<unknown> | undefined;

  constructor(adapter: DatabaseAdapter) {
    this.#root = adapter;
    this.#target = adapter;
  }

  async begin(): Promise<void> {
    let enter!: (tx: DatabaseAdapter) => void;
    const entered = new Promise<DatabaseAdapter>((resolve) => (enter = resolve));
    const released = new Promise<'commit' | typeof ROLLBACK>((resolve) => (this.#release = resolve));
    this.#finished = this.#root.transaction(async (tx) => {
      enter(tx);
      if ((await released) === ROLLBACK) throw ROLLBACK;
    });
    this.#target = await Promise.race([entered, this.#finished.then(() => this.#root)]);
  }

  async end(outcome: 'commit' | 'rollback'): Promise<void> {
    const finished = this.#finished;
    this.#release?.(outcome === 'commit' ? 'commit' : ROLLBACK);
    this.#release = undefined;
    this.#finished = undefined;
    this.#target = this.#root;
    try {
      await finished;
    } catch (error) {
      if (error !== ROLLBACK) throw error;
    }
  }

  async executeQuery<R>(compiled: CompiledQuery): Promise<QueryResult<R>> {
    const adapter = this.#target;
    const result = hasCompiledExecutor(this.#root)
      ? await this.#root.executeCompiled(compiled, adapter)
      : SelectQueryNode.is(compiled.query)
        ? { rows: await adapter.query(compiled.sql, compiled.parameters), rowsAffected: 0 }
        : await adapter.execute(compiled.sql, compiled.parameters);
    const out: { rows: R[]; numAffectedRows?: bigint; insertId?: bigint } = { rows: (result.rows ?? []) as R[] };
    if (!SelectQueryNode.is(compiled.query)) out.numAffectedRows = BigInt(result.rowsAffected);
    if (result.lastInsertId !== undefined && /^-?\d+$/.test(String(result.lastInsertId))) {
      out.insertId = BigInt(result.lastInsertId);
    }
    return out;
  }

  async *streamQuery<R>(compiled: CompiledQuery, chunkSize = 1000): AsyncIterableIterator<QueryResult<R>> {
    const { rows } = await this.executeQuery<R>(compiled);
    for (let i = 0; i < rows.length; i += chunkSize) yield { rows: rows.slice(i, i + chunkSize) };
  }
}
