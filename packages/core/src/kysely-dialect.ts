import {
  Kysely,
  PostgresAdapter,
  PostgresIntrospector,
  PostgresQueryCompiler,
  SqliteAdapter,
  SqliteIntrospector,
  SqliteQueryCompiler,
  type DatabaseConnection,
  type DatabaseIntrospector,
  type Dialect,
  type DialectAdapter,
  type Driver,
  type QueryCompiler,
  type TransactionSettings,
} from 'kysely';
import { AdapterConnection } from './kysely-connection';
import { AdapterIntrospector } from './kysely-introspector';
import type { DatabaseAdapter, DialectName } from './types';

export type { CompiledQueryExecutor } from './kysely-connection';

/**
 * A Kysely dialect that runs on a Switchyard adapter: SQL is compiled for the adapter's
 * engine, and executed through the adapter, so parameter encoding, limits and typed
 * errors apply to builder queries exactly as to raw SQL. Each Kysely connection is one
 * session of the adapter (`adapter.connection()`); transactions take their settings;
 * savepoints are nested transactions; `stream()` uses `adapter.stream()`.
 *
 * @example
 * ```ts
 * const db = new Kysely<Database>({ dialect: new AdapterDialect(adapter) });
 * ```
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
    return new AdapterDriver(this.#adapter, this.#dialect);
  }

  createQueryCompiler(): QueryCompiler {
    return this.#dialect === 'postgres' ? new PostgresQueryCompiler() : new SqliteQueryCompiler();
  }

  createIntrospector(db: Kysely<any>): DatabaseIntrospector {
    if (this.#dialect === 'd1') return new AdapterIntrospector(this.#adapter);
    return this.#dialect === 'postgres' ? new PostgresIntrospector(db) : new SqliteIntrospector(db);
  }
}

/**
 * `new Kysely({ dialect: new AdapterDialect(adapter) })`.
 *
 * @example
 * ```ts
 * const db = createAdapterKysely<Database>(adapter);
 * ```
 */
export function createAdapterKysely<DB>(adapter: DatabaseAdapter, dialect?: DialectName): Kysely<DB> {
  return new Kysely<DB>({ dialect: new AdapterDialect(adapter, dialect) });
}

class AdapterDriver implements Driver {
  readonly #adapter: DatabaseAdapter;
  readonly #dialect: DialectName;

  constructor(adapter: DatabaseAdapter, dialect: DialectName) {
    this.#adapter = adapter;
    this.#dialect = dialect;
  }

  async init(): Promise<void> {}

  acquireConnection(): Promise<DatabaseConnection> {
    return AdapterConnection.open(this.#adapter, this.#dialect);
  }

  async beginTransaction(connection: DatabaseConnection, settings: TransactionSettings): Promise<void> {
    await (connection as AdapterConnection).begin(settings);
  }

  async commitTransaction(connection: DatabaseConnection): Promise<void> {
    await (connection as AdapterConnection).end('commit');
  }

  async rollbackTransaction(connection: DatabaseConnection): Promise<void> {
    await (connection as AdapterConnection).end('rollback');
  }

  async savepoint(connection: DatabaseConnection, name: string): Promise<void> {
    await (connection as AdapterConnection).savepoint(name);
  }

  async rollbackToSavepoint(connection: DatabaseConnection, name: string): Promise<void> {
    await (connection as AdapterConnection).rollbackToSavepoint(name);
  }

  async releaseSavepoint(connection: DatabaseConnection, name: string): Promise<void> {
    await (connection as AdapterConnection).releaseSavepoint(name);
  }

  async releaseConnection(connection: DatabaseConnection): Promise<void> {
    await (connection as AdapterConnection).release();
  }

  async destroy(): Promise<void> {}
}
