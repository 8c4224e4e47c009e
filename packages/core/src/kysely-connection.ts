import {
  SelectQueryNode,
  type CompiledQuery,
  type DatabaseConnection,
  type QueryResult,
  type TransactionSettings as KyselySettings,
} from 'kysely';
import { park, type ParkedScope } from './_internal/parked-scope';
import { QueryError } from './errors';
import { PostgresArray } from './param-encode';
import { escapeQuestionMarks } from './placeholders';
import { statementKind } from './statement-kind';
import type { DatabaseAdapter, DialectName, ExecResult, Row, TransactionSettings } from './types';

/**
 * An adapter that runs Kysely's compiled queries itself, instead of their SQL text.
 * The dual-write adapter implements it to compile one query tree for each side's dialect.
 *
 * @example
 * ```ts
 * class MyAdapter implements DatabaseAdapter, CompiledQueryExecutor {
 *   executeCompiled(query, target) { return target.execute(query.sql, query.parameters).then((r) => ({ ...r, rows: r.rows ?? [] })); }
 * }
 * ```
 */
export interface CompiledQueryExecutor {
  executeCompiled(query: CompiledQuery, target: DatabaseAdapter): Promise<ExecResult & { rows: unknown[] }>;
  /**
   * Streams a compiled query (Kysely's `stream()`) run on `target`. Optional: without it,
   * the result is read whole with `executeCompiled` and yielded in chunks.
   */
  streamCompiled?(query: CompiledQuery, target: DatabaseAdapter, chunkSize: number): AsyncIterableIterator<unknown[]>;
}

function hasCompiledExecutor(adapter: unknown): adapter is CompiledQueryExecutor {
  return typeof (adapter as Partial<CompiledQueryExecutor>).executeCompiled === 'function';
}

/** An open transaction (no name) or savepoint (Kysely's name for it). */
interface OpenScope {
  name: string | undefined;
  parked: ParkedScope<DatabaseAdapter>;
}

/**
 * One Kysely connection: one session of the adapter (`adapter.connection()`), inside
 * which Kysely's begin/commit calls and savepoints open nested `transaction()` callbacks
 * that stay parked until Kysely ends them.
 */
export class AdapterConnection implements DatabaseConnection {
  readonly #root: DatabaseAdapter;
  readonly #family: 'postgres' | 'sqlite';
  readonly #session: ParkedScope<DatabaseAdapter> | undefined;
  readonly #scopes: OpenScope[] = [];

  private constructor(root: DatabaseAdapter, dialect: DialectName, session: ParkedScope<DatabaseAdapter> | undefined) {
    this.#root = root;
    this.#family = dialect === 'postgres' ? 'postgres' : 'sqlite';
    this.#session = session;
  }

  /** A connection on a session of its own where the adapter offers sessions. */
  static async open(root: DatabaseAdapter, dialect: DialectName): Promise<AdapterConnection> {
    const session = root.connection ? await park<DatabaseAdapter>((fn) => root.connection!(fn)) : undefined;
    return new AdapterConnection(root, dialect, session);
  }

  /** Where statements run: the innermost savepoint, the transaction, the session, or the adapter. */
  get #target(): DatabaseAdapter {
    return this.#scopes.at(-1)?.parked.scope ?? this.#session?.scope ?? this.#root;
  }

  async begin(settings: KyselySettings): Promise<void> {
    const own: TransactionSettings = {
      ...(settings.isolationLevel !== undefined && { isolationLevel: settings.isolationLevel }),
      ...(settings.accessMode !== undefined && { accessMode: settings.accessMode }),
    };
    const target = this.#target;
    const parked = await park<DatabaseAdapter>((fn) => target.transaction(fn, own));
    this.#scopes.push({ name: undefined, parked });
  }

  /** Commits or rolls back the transaction, with every savepoint still open inside it. */
  async end(outcome: 'commit' | 'rollback'): Promise<void> {
    await this.#unwind(0, outcome);
  }

  async savepoint(name: string): Promise<void> {
    const target = this.#target;
    const parked = await park<DatabaseAdapter>((fn) => target.transaction(fn));
    this.#scopes.push({ name, parked });
  }

  /** Undoes everything since the savepoint, which stays open, as in SQL. */
  async rollbackToSavepoint(name: string): Promise<void> {
    await this.#unwind(this.#indexOf(name), 'rollback');
    await this.savepoint(name);
  }

  async releaseSavepoint(name: string): Promise<void> {
    await this.#unwind(this.#indexOf(name), 'commit');
  }

  /** Ends the session; a transaction left open is rolled back. */
  async release(): Promise<void> {
    try {
      if (this.#scopes.length > 0) await this.#unwind(0, 'rollback');
    } finally {
      await this.#session?.end('commit');
    }
  }

  async executeQuery<R>(compiled: CompiledQuery): Promise<QueryResult<R>> {
    // Kysely's own drivers append the caller's frames, which an await chain loses.
    const trace = new Error();
    try {
      return await this.#execute<R>(this.#forEngine(compiled));
    } catch (error) {
      throw extendStack(error, trace);
    }
  }

  async *streamQuery<R>(compiled: CompiledQuery, chunkSize = 100): AsyncIterableIterator<QueryResult<R>> {
    const target = this.#target;
    const query = this.#forEngine(compiled);
    const root = this.#root;
    const rowsOf = hasCompiledExecutor(root)
      ? root.streamCompiled?.(query, target, chunkSize)
      : target.stream?.<R>(query.sql, query.parameters, { chunkSize });
    if (!rowsOf) {
      const { rows } = await this.executeQuery<R>(compiled);
      for (let i = 0; i < rows.length; i += chunkSize) yield { rows: rows.slice(i, i + chunkSize) };
      return;
    }
    for await (const rows of rowsOf) yield { rows: rows as R[] };
  }

  async #execute<R>(compiled: CompiledQuery): Promise<QueryResult<R>> {
    const adapter = this.#target;
    const kind = statementKind(compiled.sql);
    const result = hasCompiledExecutor(this.#root)
      ? await this.#root.executeCompiled(compiled, adapter)
      : SelectQueryNode.is(compiled.query) || kind === 'read'
        ? { rows: await adapter.query<Row>(compiled.sql, compiled.parameters), rowsAffected: 0 }
        : await adapter.execute(compiled.sql, compiled.parameters);
    const out: { rows: R[]; numAffectedRows?: bigint; insertId?: bigint } = { rows: (result.rows ?? []) as R[] };
    // As Kysely's drivers: a count of affected rows for data changes only, none for a SELECT.
    if (kind === 'write' && !SelectQueryNode.is(compiled.query)) out.numAffectedRows = BigInt(result.rowsAffected);
    if (result.lastInsertId !== undefined && /^-?\d+$/.test(String(result.lastInsertId))) {
      out.insertId = BigInt(result.lastInsertId);
    }
    return out;
  }

  /**
   * Postgres SQL from Kysely is final: its `?` are jsonb operators, escaped so the
   * adapter does not take them for placeholders, and its arrays are Postgres arrays.
   */
  #forEngine(compiled: CompiledQuery): CompiledQuery {
    if (this.#family !== 'postgres') return compiled;
    const sql = escapeQuestionMarks(compiled.sql);
    const hasArray = compiled.parameters.some((p) => Array.isArray(p) && !(p instanceof PostgresArray));
    if (sql === compiled.sql && !hasArray) return compiled;
    const parameters = hasArray
      ? compiled.parameters.map((p) => (Array.isArray(p) && !(p instanceof PostgresArray) ? PostgresArray.from(p) : p))
      : compiled.parameters;
    return { ...compiled, sql, parameters };
  }

  #indexOf(name: string): number {
    for (let i = this.#scopes.length - 1; i > 0; i--) if (this.#scopes[i]!.name === name) return i;
    throw new QueryError(`No savepoint named "${name}" is open on this connection.`);
  }

  /** Ends the scopes from the innermost down to `index`, each with `outcome`. */
  async #unwind(index: number, outcome: 'commit' | 'rollback'): Promise<void> {
    while (this.#scopes.length > index) {
      const { parked } = this.#scopes.pop()!;
      await parked.end(outcome);
    }
  }
}

function extendStack(error: unknown, trace: Error): unknown {
  if (error instanceof Error && typeof error.stack === 'string' && trace.stack) {
    error.stack += '\n' + trace.stack.split('\n').slice(1).join('\n');
  }
  return error;
}
