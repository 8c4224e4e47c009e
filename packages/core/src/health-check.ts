import type { DatabaseAdapter, DialectName } from './types';

/**
 * What {@link checkHealth} returns for one database: whether one cheap round trip
 * worked, how long it took, the server's version, and the error if any.
 *
 * @example
 * ```ts
 * const { ok, latencyMs, serverVersion, error } = await checkHealth(adapter);
 * ```
 */
export interface HealthReport {
  ok: boolean;
  name: string;
  dialect: DialectName;
  /** Milliseconds the round trip took (until the error, when it failed). */
  latencyMs: number;
  /** e.g. `'16.4'` for Postgres, `'3.45.1'` for SQLite; `null` on D1 (it does not say) and when the check failed. */
  serverVersion: string | null;
  /** What failed, or `null`. */
  error: { code: string; message: string } | null;
  /** When the check ran (ISO-8601). */
  checkedAt: string;
}

/** Options of {@link checkHealth}. */
export interface HealthCheckOptions {
  /** Longest the round trip may take before the check reports a timeout, in milliseconds. Default `5000`. */
  timeoutMs?: number;
}

/**
 * Checks one adapter with one cheap round trip (the server's version), for a
 * `/health/database` endpoint. Never throws: a failure is in `error`. An adapter with
 * its own `checkHealth()` (the dual-write adapter: both sides, mode, epoch, journal)
 * answers for itself.
 *
 * @example
 * ```ts
 * app.get('/health/database', async (c) => {
 *   const health = await checkHealth(adapter);
 *   return c.json(health, health.ok ? 200 : 503);
 * });
 * ```
 */
export async function checkHealth<R extends HealthReport = HealthReport>(
  adapter: DatabaseAdapter,
  options: HealthCheckOptions = {},
): Promise<R> {
  const own = (adapter as { checkHealth?: (options?: HealthCheckOptions) => Promise<R> }).checkHealth;
  const started = Date.now();
  const checkedAt = new Date().toISOString();
  const base = { name: adapter.name, dialect: adapter.dialect, checkedAt };
  let timer: ReturnType<typeof setTimeout> | undefined;
  const timeoutMs = options.timeoutMs ?? 5000;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(Object.assign(new Error(`no answer within ${timeoutMs} ms`), { code: 'TIMEOUT' })), timeoutMs);
  });
  try {
    if (typeof own === 'function') return await Promise.race([own.call(adapter, options), timeout]);
    // D1 refuses sqlite_version() ("not authorized"), so it answers a plain SELECT and no version.
    const sql = {
      postgres: "SELECT current_setting('server_version') AS version",
      sqlite: 'SELECT sqlite_version() AS version',
      d1: 'SELECT NULL AS version',
    }[adapter.dialect];
    const row = await Promise.race([adapter.first<{ version: unknown }>(sql), timeout]);
    return {
      ...base,
      ok: true,
      latencyMs: Date.now() - started,
      serverVersion: row?.version == null ? null : String(row.version),
      error: null,
    } as R;
  } catch (error) {
    const e = error as { code?: unknown; message?: unknown };
    const report: HealthReport = {
      ...base,
      ok: false,
      latencyMs: Date.now() - started,
      serverVersion: null,
      error: {
        code: typeof e?.code === 'string' ? e.code : 'QUERY_FAILED',
        message: typeof e?.message === 'string' ? e.message : String(error),
      },
    };
    return report as R;
  } finally {
    clearTimeout(timer);
  }
}
