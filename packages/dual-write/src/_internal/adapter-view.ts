import type { Kysely } from 'kysely';
import {
  createAdapterKysely,
  createPreparedStatement,
  type AdapterCapabilities,
  type DatabaseAdapter,
  type DialectName,
  type PreparedStatement,
  type Row,
  type TableInfo,
} from '@switchyard/core';

/**
 * An adapter that stands for another one (a dual-write session, a recording transaction):
 * its name, dialect, capabilities and schema are the other's, and its Kysely instance
 * runs through the view itself, so builder queries take the view's own paths.
 */
export abstract class AdapterView<DB = any> {
  /** The adapter whose identity the view carries. */
  protected readonly identity: DatabaseAdapter;
  #db: Kysely<DB> | undefined;

  constructor(identity: DatabaseAdapter) {
    this.identity = identity;
  }

  get name(): string {
    return this.identity.name;
  }

  get dialect(): DialectName {
    return this.identity.dialect;
  }

  get capabilities(): AdapterCapabilities {
    return this.identity.capabilities;
  }

  get db(): Kysely<DB> {
    this.#db ??= createAdapterKysely<DB>(this as unknown as DatabaseAdapter<DB>, this.identity.dialect);
    return this.#db;
  }

  introspect(): Promise<TableInfo[]> {
    return this.identity.introspect();
  }

  /** Reads through the view's own `query()`. */
  abstract query<T = Row>(sql: string, params?: readonly unknown[]): Promise<T[]>;

  /** The first row of `query()`. */
  first<T = Row>(sql: string, params?: readonly unknown[]): Promise<T | undefined> {
    return this.query<T>(sql, params).then((rows) => rows[0]);
  }

  /** A statement prepared on the view, so it runs through the view's paths. */
  prepare(sql: string): PreparedStatement {
    return createPreparedStatement(this as unknown as DatabaseAdapter, sql);
  }
}
