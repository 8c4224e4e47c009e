import {
  BaseAdapter,
  DEFAULT_CAPABILITIES,
  InvalidArgumentError,
  UnsupportedError,
  introspectSqlite,
  type BaseAdapterOptions,
  type DatabaseAdapter,
  type EncodedStatement,
  type RawResult,
  type RawRows,
  type Row,
  type StreamOptions,
  type SwitchyardError,
  type TableInfo,
} from '@switchyard/core';
import type { D1DatabaseLike } from './d1-database';
import { createD1RestTransport, type D1RestOptions } from './d1-rest-adapter';
import { toD1Error } from './_internal/d1-errors';
import { TRANSACTIONS_UNSUPPORTED } from './_internal/d1-messages';
import { DEFAULT_PAGE_SIZE, readPages } from './_internal/d1-pages';
import { toRawResult, toRawRows } from './_internal/d1-rows';
import { bindingTransport, type D1Transport } from './_internal/d1-transport';
import { InFlightCalls } from './_internal/in-flight';

/** Options of {@link createD1Adapter}. */
export interface D1AdapterOptions extends BaseAdapterOptions {}

/**
 * A {@link DatabaseAdapter} on Cloudflare D1, through a Workers binding or the REST API.
 * D1 has no interactive transactions: `batch()` is D1's own batch, one transaction.
 * The 100-parameter and 100 KB limits are checked before anything is sent.
 */
export class D1Adapter<DB = any> extends BaseAdapter<DB> {
  readonly #inFlight = new InFlightCalls();
  readonly #transport: D1Transport;

  /** @internal Use {@link createD1Adapter}. */
  constructor(transport: D1Transport, options: D1AdapterOptions = {}) {
    super('d1', { ...DEFAULT_CAPABILITIES.d1 }, options);
    this.#transport = this.#inFlight.track(transport);
  }

  /**
   * Waits until every request this adapter has sent so far has ended, and returns how many
   * it waited for (0 at once when none is on its way). D1 cannot end a request once sent,
   * so a write whose caller stopped waiting (dual write's `secondaryTimeoutMs`) may still
   * run; once its call has ended (an answer, or the REST client giving up after its
   * `timeoutMs` and retries) D1 has run it or never will. Dual write calls this
   * before every journal replay, so such a write lands before the replay settles its rows
   * and cannot leave a row older than the primary's after it. The limit: a REST request
   * that timed out without an answer may still run on Cloudflare's side.
   *
   * @example
   * ```ts
   * await adapter.fenceAbandoned(); // then re-apply what timed out
   * ```
   */
  async fenceAbandoned(): Promise<number> {
    this.assertOpen();
    return this.#inFlight.settle();
  }

  /**
   * Yields a read's rows page by page, one request per page: the query runs wrapped as
   * `SELECT * FROM (<query>) LIMIT ? OFFSET ?` with `chunkSize` rows a page (default
   * 1000). The next page is requested only when the loop asks for it, and `break` sends
   * no further request. Each page re-runs the query, so pages agree only while nothing
   * writes to the rows read; order the query (`ORDER BY` a unique key) for stable pages.
   * Statements that are not a plain `SELECT`/`WITH … SELECT`, or that bind more than 98
   * parameters, are read in one request.
   *
   * @example
   * ```ts
   * for await (const rows of adapter.stream('SELECT * FROM events ORDER BY id', [], { chunkSize: 500 })) console.log(rows.length);
   * ```
   */
  async *stream<T = Row>(sql: string, params: readonly unknown[] = [], options: StreamOptions = {}): AsyncIterableIterator<T[]> {
    this.assertOpen();
    const pageSize = options.chunkSize ?? DEFAULT_PAGE_SIZE;
    if (!Number.isSafeInteger(pageSize) || pageSize < 1) {
      throw new InvalidArgumentError(`chunkSize must be a whole number of rows >= 1; got ${String(options.chunkSize)}.`, { dialect: 'd1' });
    }
    const statement = this.encodeStatement(sql, params);
    const subject = { label: this.name, dialect: this.dialect, capabilities: this.capabilities };
    const run = async (s: EncodedStatement) => {
      this.assertOpen();
      return toRawResult(await this.#transport.run(s));
    };
    try {
      yield* readPages<T>(run, subject, statement, pageSize);
    } catch (error) {
      throw this.wrapError(error, sql);
    }
  }

  protected async runStatement(statement: EncodedStatement): Promise<RawResult> {
    return toRawResult(await this.#transport.run(statement));
  }

  /**
   * Runs a statement and returns its rows as arrays in column order, with the column
   * names (the binding's `raw({ columnNames: true })`, the REST API's `/raw`), every
   * column kept where names repeat; blobs are bytes, as in `query()`.
   *
   * @example
   * ```ts
   * const { columns, rows } = await adapter.queryRaw('SELECT users.id, posts.id FROM users JOIN posts ON posts.user_id = users.id');
   * ```
   */
  async queryRaw(sql: string, params: readonly unknown[] = []): Promise<RawRows> {
    return this.runEncoded(sql, params, async (statement) => toRawRows(await this.#transport.runRaw(statement)));
  }

  protected async runBatch(statements: EncodedStatement[]): Promise<RawResult[]> {
    return (await this.#transport.batch(statements)).map(toRawResult);
  }

  /** Unreachable: `capabilities.transactions` is false, so `transaction()` throws first. */
  protected async runTransaction<T>(_fn: (tx: DatabaseAdapter<DB>) => Promise<T>): Promise<T> {
    throw new UnsupportedError(`${this.name}: ${TRANSACTIONS_UNSUPPORTED}`, { dialect: 'd1' });
  }

  protected async runIntrospect(): Promise<TableInfo[]> {
    return introspectSqlite(async <T>(sql: string) => (await this.runStatement({ sql, params: [] })).rows as T[]);
  }

  protected async runClose(): Promise<void> {
    await this.#transport.close?.();
  }

  protected override toError(error: unknown, sql: string | undefined): SwitchyardError {
    return toD1Error(error, this.name, sql);
  }
}

/**
 * Creates a D1 adapter. Pass a Workers binding (`env.DB`) inside a Worker, or the REST
 * API's coordinates from a Node script.
 *
 * @example
 * ```ts
 * import { createD1Adapter } from '@switchyard/d1';
 * // In a Worker:
 * const adapter = createD1Adapter(env.DB);
 * // From Node, over the REST API:
 * const remote = createD1Adapter({
 *   accountId: process.env.CLOUDFLARE_ACCOUNT_ID!,
 *   databaseId: '6f1c…',
 *   apiToken: process.env.CLOUDFLARE_API_TOKEN!,
 * });
 * ```
 */
export function createD1Adapter<DB = any>(binding: D1DatabaseLike, options?: D1AdapterOptions): D1Adapter<DB>;
export function createD1Adapter<DB = any>(rest: D1RestOptions, options?: D1AdapterOptions): D1Adapter<DB>;
export function createD1Adapter<DB = any>(target: D1DatabaseLike | D1RestOptions, options: D1AdapterOptions = {}): D1Adapter<DB> {
  if (isBinding(target)) return new D1Adapter<DB>(bindingTransport(target), options);
  if (target && typeof target === 'object' && 'accountId' in target) {
    return new D1Adapter<DB>(createD1RestTransport(target), options);
  }
  throw new InvalidArgumentError(
    'createD1Adapter expects a D1 binding (env.DB, with prepare() and batch()) or REST options ' + '{ accountId, databaseId, apiToken }.',
    { dialect: 'd1' },
  );
}

function isBinding(target: unknown): target is D1DatabaseLike {
  return (
    typeof target === 'object' &&
    target !== null &&
    typeof (target as D1DatabaseLike).prepare === 'function' &&
    typeof (target as D1DatabaseLike).batch === 'function'
  );
}
