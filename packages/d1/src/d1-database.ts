/**
 * The slice of the Workers D1 API the adapter uses, declared here so the binding stays
 * something the user injects: `env.DB` in a Worker, or Miniflare's `getD1Database()`.
 */

/** What D1 returns for one statement. */
export interface D1ResultLike<T = Record<string, unknown>> {
  results?: T[];
  success: boolean;
  meta: {
    changes?: number;
    last_row_id?: number;
    duration?: number;
    [key: string]: unknown;
  };
  error?: string;
}

/** A D1 prepared statement: `db.prepare(sql).bind(...values)`. */
export interface D1PreparedStatementLike {
  bind(...values: unknown[]): D1PreparedStatementLike;
  all<T = Record<string, unknown>>(): Promise<D1ResultLike<T>>;
  /** Rows as arrays in column order, the column names first. */
  raw<T = unknown[]>(options: { columnNames: true }): Promise<[string[], ...T[]]>;
}

/**
 * A D1 database binding (`D1Database` in `@cloudflare/workers-types`).
 *
 * @example
 * ```ts
 * export default { fetch: (req: Request, env: { DB: D1DatabaseLike }) => createD1Adapter(env.DB).query('SELECT 1') };
 * ```
 */
export interface D1DatabaseLike {
  prepare(query: string): D1PreparedStatementLike;
  batch<T = Record<string, unknown>>(statements: D1PreparedStatementLike[]): Promise<D1ResultLike<T>[]>;
}
