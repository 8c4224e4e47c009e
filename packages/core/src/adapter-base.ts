import type { Kysely } from 'kysely';
import { AdapterClosedError, ParameterError, QueryError, SwitchyardError, UnsupportedError } from './errors';
import { createAdapterKysely } from './kysely-dialect';
import { encodeParams } from './param-encode';
import { scanPlaceholders, toAnonymousPlaceholders } from './placeholders';
import { checkStatementLimits } from './statement-limits';
import { checkTransactionSettings } from './transaction-settings';
import { createPreparedStatement } from './prepared-statement';
import type {
  AdapterCapabilities,
  DatabaseAdapter,
  DialectName,
  ExecResult,
  PreparedStatement,
  Row,
  Statement,
  TableInfo,
  TransactionSettings,
} from './types';

/** A statement after checks and encoding, ready for the driver. */
export interface EncodedStatement {
  sql: string;
  params: unknown[];
  /** The statement as the caller wrote it (before `?` -> `$n`), for error messages. */
  source?: string;
}

/** What the driver returns for one statement: rows (possibly none) and its effect. */
export interface RawResult {
  rows: Row[];
  rowsAffected: number;
  lastInsertId?: number | bigint | string;
}

/** Options every adapter accepts. */
export interface BaseAdapterOptions {
  /** A label for metrics and reports; defaults to the dialect. */
  name?: string;
}

/**
 * The shared mechanics of every adapter: placeholder checks and rewriting, parameter
 * encoding, engine limits checked before the round trip, D1-style prepared statements,
 * a Kysely instance, error wrapping and closed-state checks. An engine's adapter
 * supplies only the four `run*` methods, `introspect` and `close`.
 */
export abstract class BaseAdapter<DB = any> implements DatabaseAdapter<DB> {
  readonly name: string;
  readonly dialect: DialectName;
  readonly capabilities: AdapterCapabilities;
  #db: Kysely<DB> | undefined;
  #closed = false;
  #transactionEnded = false;
  /** Sessions of an adapter without connections of its own run one at a time. */
  #sessions: Promise<unknown> = Promise.resolve();

  protected constructor(dialect: DialectName, capabilities: AdapterCapabilities, options: BaseAdapterOptions = {}) {
    this.dialect = dialect;
    this.capabilities = capabilities;
    this.name = options.name ?? dialect;
  }

  /** Runs one encoded statement on the engine. */
  protected abstract runStatement(statement: EncodedStatement): Promise<RawResult>;
  /** Runs encoded statements atomically. */
  protected abstract runBatch(statements: EncodedStatement[]): Promise<RawResult[]>;
  /**
   * Runs `fn` in an interactive transaction with an adapter scoped to it. `settings`
   * have been checked for known values; the engine refuses what it cannot honour.
   */
  protected abstract runTransaction<T>(fn: (tx: DatabaseAdapter<DB>) => Promise<T>, settings?: TransactionSettings): Promise<T>;
  /**
   * Runs `fn` on one exclusive session. The default runs sessions one at a time on the
   * adapter itself, for engines whose statements share no session state (D1).
   */
  protected runSession<T>(fn: (session: DatabaseAdapter<DB>) => Promise<T>): Promise<T> {
    const run = this.#sessions.then(() => fn(this));
    this.#sessions = run.catch(() => undefined);
    return run;
  }
  /** Reads the schema. */
  protected abstract runIntrospect(): Promise<TableInfo[]>;
  /** Releases the engine's resources. */
  protected abstract runClose(): Promise<void>;
  /** Maps a driver error to a typed one; the default is a {@link QueryError}. */
  protected toError(error: unknown, sql: string | undefined): SwitchyardError {
    const message = error instanceof Error ? error.message : String(error);
    return new QueryError(`${this.name}: ${message}`, { dialect: this.dialect, sql, cause: error });
  }

  /** @inheritDoc */
  get db(): Kysely<DB> {
    this.#db ??= this.createKysely();
    return this.#db;
  }

  /** Builds the Kysely instance behind `db`; adapters may supply a dialect of their own. */
  protected createKysely(): Kysely<DB> {
    return createAdapterKysely<DB>(this);
  }

  /** True after `close()`. */
  get closed(): boolean {
    return this.#closed;
  }

  async query<T = Row>(sql: string, params: readonly unknown[] = []): Promise<T[]> {
    const result = await this.#run(sql, params);
    return result.rows as T[];
  }

  /**
   * Checks, encodes and runs one statement with `run`, its errors typed as `query()`'s
   * are. For an adapter's own ways of running a statement, such as `queryRaw`.
   *
   * @example
   * ```ts
   * async queryRaw(sql: string, params: readonly unknown[] = []): Promise<RawRows> {
   *   return this.runEncoded(sql, params, (statement) => this.#readArrays(statement));
   * }
   * ```
   */
  protected async runEncoded<R>(sql: string, params: readonly unknown[], run: (statement: EncodedStatement) => Promise<R>): Promise<R> {
    this.assertOpen();
    const statement = this.encodeStatement(sql, params);
    try {
      return await run(statement);
    } catch (error) {
      throw this.wrapError(error, sql);
    }
  }

  async first<T = Row>(sql: string, params: readonly unknown[] = []): Promise<T | undefined> {
    const rows = await this.query<T>(sql, params);
    return rows[0];
  }

  async execute(sql: string, params: readonly unknown[] = []): Promise<ExecResult> {
    return toExecResult(await this.#run(sql, params));
  }

  async batch(statements: readonly Statement[]): Promise<ExecResult[]> {
    this.assertOpen();
    if (statements.length === 0) return [];
    const encoded = statements.map((s) => this.encodeStatement(s.sql, s.params ?? []));
    try {
      const results = await this.runBatch(encoded);
      return results.map(toExecResult);
    } catch (error) {
      throw this.wrapError(error, encoded.length === 1 ? (encoded[0]!.source ?? encoded[0]!.sql) : undefined);
    }
  }

  prepare(sql: string): PreparedStatement {
    return createPreparedStatement(this, sql);
  }

  async transaction<T>(fn: (tx: DatabaseAdapter<DB>) => Promise<T>, settings?: TransactionSettings): Promise<T> {
    this.assertOpen();
    if (!this.capabilities.transactions) {
      throw new UnsupportedError(
        `${this.name} has no interactive transactions. Use batch() with every statement of the unit of work: it runs them atomically.`,
        { dialect: this.dialect },
      );
    }
    checkTransactionSettings(settings, this.dialect);
    return this.runTransaction(fn, settings);
  }

  async connection<T>(fn: (session: DatabaseAdapter<DB>) => Promise<T>): Promise<T> {
    this.assertOpen();
    return this.runSession(fn);
  }

  async introspect(): Promise<TableInfo[]> {
    this.assertOpen();
    try {
      return await this.runIntrospect();
    } catch (error) {
      throw this.wrapError(error, undefined);
    }
  }

  async close(): Promise<void> {
    if (this.#closed) return;
    this.#closed = true;
    await this.runClose();
  }

  /**
   * Marks a transaction-scoped adapter as spent once its transaction has ended, so a
   * callback that keeps it past the end gets a clear error instead of running outside it.
   */
  protected endTransactionScope(): void {
    this.#transactionEnded = true;
  }

  /** Throws {@link AdapterClosedError} after `close()`, and a clear error on a spent transaction adapter. */
  protected assertOpen(): void {
    if (this.#transactionEnded) {
      throw new QueryError(`${this.name}: this transaction has ended. Use the adapter passed to transaction() only inside its callback.`, {
        dialect: this.dialect,
      });
    }
    if (this.#closed) throw new AdapterClosedError(this.name, { dialect: this.dialect });
  }

  /**
   * Checks a statement against the engine's limits and the number of placeholders,
   * rewrites placeholders for the engine and encodes parameters.
   */
  protected encodeStatement(sql: string, params: readonly unknown[]): EncodedStatement {
    if (typeof sql !== 'string' || sql.trim() === '') {
      throw new ParameterError('Expected a SQL string, got ' + (sql === '' ? 'an empty string' : typeof sql) + '.', {
        dialect: this.dialect,
      });
    }
    checkStatementLimits({ label: this.name, dialect: this.dialect, capabilities: this.capabilities }, sql, params.length);
    const scan = scanPlaceholders(sql, { rewrite: this.dialect === 'postgres' });
    if (scan.questionMarks > 0 && scan.parameterCount !== params.length) {
      const numbered = scan.parameterCount === scan.questionMarks ? '' : ` (numbered up to ?${scan.parameterCount})`;
      throw new ParameterError(
        `The statement has ${scan.questionMarks} placeholders${numbered} but ${params.length} parameters were bound.`,
        { dialect: this.dialect, sql },
      );
    }
    const encoded = encodeParams(params, this.dialect, this.capabilities, sql);
    // better-sqlite3 reads `?NNN` as a named parameter; D1 and Postgres (as `$NNN`) bind it natively.
    if (this.dialect === 'sqlite' && scan.numbered) return { ...toAnonymousPlaceholders(sql, encoded), source: sql };
    return { sql: scan.sql, params: encoded, source: sql };
  }

  /** Wraps anything thrown by a driver into a typed {@link SwitchyardError}. */
  protected wrapError(error: unknown, sql: string | undefined): SwitchyardError {
    if (error instanceof SwitchyardError) return error;
    return this.toError(error, sql);
  }

  /** What `execute()` returns for one statement's raw result, for an adapter that runs a statement another way. */
  protected execResult(raw: RawResult): ExecResult {
    return toExecResult(raw);
  }

  #run(sql: string, params: readonly unknown[]): Promise<RawResult> {
    return this.runEncoded(sql, params, (statement) => this.runStatement(statement));
  }
}

function toExecResult(raw: RawResult): ExecResult {
  const result: ExecResult = { rowsAffected: raw.rowsAffected };
  if (raw.lastInsertId !== undefined) result.lastInsertId = raw.lastInsertId;
  if (raw.rows.length > 0) result.rows = raw.rows;
  return result;
}
