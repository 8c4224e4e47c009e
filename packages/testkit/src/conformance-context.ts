import type { DatabaseAdapter } from '@switchyard/core';

/**
 * What {@link runAdapterConformance} needs to know about an adapter: how to make a
 * fresh one and how to dispose of it.
 *
 * @example
 * ```ts
 * const options: AdapterConformanceOptions = {
 *   name: 'sqlite (memory)',
 *   create: () => createSQLiteAdapter(':memory:'),
 * };
 * ```
 */
export interface AdapterConformanceOptions {
  /** The suite's title in the test report, e.g. `'postgres'` or `'d1 (rest)'`. */
  name: string;
  /** Returns a fresh adapter on an empty database. Called once per suite, and again by tests that close theirs. */
  create: () => DatabaseAdapter | Promise<DatabaseAdapter>;
  /** Disposes an adapter made by `create` (drop its database, remove its file). Default: `adapter.close()`. */
  teardown?: (adapter: DatabaseAdapter) => void | Promise<void>;
  /**
   * The databases a write through the adapter must reach, which tests read back after a
   * commit or a rollback: a dual-write adapter's two sides. Default: the adapter itself.
   */
  sides?: (adapter: DatabaseAdapter) => readonly DatabaseAdapter[];
}

/**
 * What each part of the suite receives: the shared adapter, made once per suite, and
 * helpers that keep tests from stepping on each other's tables.
 *
 * @example
 * ```ts
 * export function myChecks(ctx: ConformanceContext): void {
 *   it('counts', async () => {
 *     const t = ctx.table('count');
 *     await ctx.adapter.execute(`CREATE TABLE ${t} (id BIGINT PRIMARY KEY)`);
 *   });
 * }
 * ```
 */
export interface ConformanceContext {
  /** The adapter shared by every test of the suite. Tests must not close it. */
  readonly adapter: DatabaseAdapter;
  readonly options: AdapterConformanceOptions;
  /** A table name no other test uses: `sy_<prefix>_<n>_<random>`, lower case, unquoted-safe on every engine. */
  table(prefix: string): string;
  /** Runs `fn` on a new adapter from `create()`, disposed afterwards whatever happens. */
  withFreshAdapter<T>(fn: (adapter: DatabaseAdapter) => Promise<T>): Promise<T>;
  /** The databases writes must reach (see {@link AdapterConformanceOptions.sides}). */
  sides(): readonly DatabaseAdapter[];
}

let counter = 0;

/**
 * Builds the context for one suite around its shared adapter.
 *
 * @example
 * ```ts
 * const ctx = createConformanceContext(adapter, { name: 'sqlite', create: () => createSQLiteAdapter(':memory:') });
 * ctx.table('orders') // 'sy_orders_1_k3x9a'
 * ```
 */
export function createConformanceContext(adapter: DatabaseAdapter, options: AdapterConformanceOptions): ConformanceContext {
  const suffix = Math.random().toString(36).slice(2, 7);
  const dispose = options.teardown ?? ((a: DatabaseAdapter) => a.close());
  return {
    adapter,
    options,
    table: (prefix) => `sy_${prefix.toLowerCase().replace(/[^a-z0-9]/g, '_')}_${++counter}_${suffix}`,
    sides: () => options.sides?.(adapter) ?? [adapter],
    async withFreshAdapter(fn) {
      const fresh = await options.create();
      try {
        return await fn(fresh);
      } finally {
        await dispose(fresh);
      }
    },
  };
}
