import type { DatabaseAdapter, Row } from '@switchyard/core';
import { withExactText } from './exact-text';
import { keyAfter, orderByKey, selectList } from './sql-text';
import type { JsonReads } from './json-reads';
import type { KeyColumn } from './table-plan';
import { yieldMacrotask } from './yield-macrotask';

/** A condition every page adds, e.g. a key range: SQL with `?` placeholders and its values. */
export interface RangeFilter {
  sql: string;
  params: unknown[];
}

/** Where and how a {@link KeysetReader} reads. */
export interface KeysetReaderOptions {
  adapter: DatabaseAdapter;
  /** Quoted table reference. */
  table: string;
  columns: readonly string[];
  /** Columns read as their Postgres text (see `jsonReads`). */
  asText?: JsonReads;
  keys: readonly KeyColumn[];
  pageSize: number;
  range?: RangeFilter;
}

/**
 * Reads a table in key order, one page at a time (`WHERE key > last ORDER BY key
 * LIMIT n`), so memory stays bounded by the page size. The next page is requested as
 * soon as one arrives: the engine works on it while the caller compares.
 */
export class KeysetReader {
  readonly #options: KeysetReaderOptions;
  readonly #firstSql: string;
  readonly #nextSql: string;
  #pending: Promise<Row[]> | undefined;
  #started = false;
  #done = false;

  constructor(options: KeysetReaderOptions) {
    this.#options = options;
    const { adapter, table, columns, asText, keys, range } = options;
    const base = `SELECT ${selectList(columns, asText)} FROM ${table}`;
    const order = ` ORDER BY ${orderByKey(adapter, keys)} LIMIT ${options.pageSize}`;
    const conditions = range ? [range.sql] : [];
    this.#firstSql = base + (conditions.length ? ` WHERE ${conditions.join(' AND ')}` : '') + order;
    this.#nextSql = base + ` WHERE ${[...conditions, keyAfter(adapter, keys)].join(' AND ')}` + order;
  }

  /** Sends the first page's query without waiting for it. */
  start(): void {
    if (this.#started) return;
    this.#started = true;
    this.#pending = this.#fetch(undefined);
  }

  /** The next page in key order, or `null` after the last. */
  async next(): Promise<Row[] | null> {
    if (this.#done) return null;
    this.start();
    const page = await this.#pending!;
    this.#pending = undefined;
    if (page.length < this.#options.pageSize) this.#done = true;
    else {
      this.#pending = this.#fetch(page[page.length - 1]!);
      // Let a network driver send the next page's query before the caller compares this one.
      if (this.#options.adapter.dialect !== 'sqlite') await yieldMacrotask();
    }
    if (page.length === 0) {
      this.#done = true;
      return null;
    }
    return page;
  }

  /** Stops reading; a page already requested is left to finish on its own. */
  close(): void {
    this.#done = true;
    // Nobody will await it: keep a failure of the abandoned read from going unhandled.
    this.#pending?.catch(() => {});
    this.#pending = undefined;
  }

  #fetch(after: Row | undefined): Promise<Row[]> {
    const { adapter, keys, range } = this.#options;
    const params = range ? [...range.params] : [];
    if (after) for (const key of keys) params.push(after[key.name]);
    const keyNames = keys.map((k) => k.name);
    const promise = adapter
      .query(after ? this.#nextSql : this.#firstSql, params)
      .then((rows) => withExactText(adapter, this.#options.table, keyNames, rows));
    promise.catch(() => {});
    return promise;
  }
}
