/** SQLSTATEs that say a statement prepared by name can no longer be used as it is. */
function stale(code: string, message: string): boolean {
  // prepared statement does not exist / already exists: a pooler (PgBouncer in transaction
  // mode) moved the session to a server connection that another one prepared, or none did.
  if (code === '26000' || code === '42P05') return true;
  // cached plan must not change result type: a table under it changed.
  return code === '0A000' && message.includes('cached plan');
}

/**
 * The SQL texts an adapter keeps prepared on the server (`keepPrepared`), each under a
 * name of its own, and whether naming still works. A bounded set: texts past the limit run
 * unprepared. A text that failed as a prepared statement is dropped, and one added again
 * gets a new name, so a connection never runs an old plan under it. A missing prepared
 * statement means something between the adapter and the server does not keep them: naming
 * stops for good.
 */
/** Names unique in the process: two adapters may share a Pool, and pg refuses one name for two texts. */
let next = 0;

export class PreparedNames {
  readonly #names = new Map<string, string>();
  readonly #limit: number;
  #off = false;

  constructor(limit = 100) {
    this.#limit = limit;
  }

  keep(sql: string): void {
    if (this.#off || this.#names.has(sql) || this.#names.size >= this.#limit) return;
    this.#names.set(sql, `sy_prepared_${++next}`);
  }

  /** The name to prepare this text under, or `undefined` to run it unprepared. */
  nameOf(sql: string): string | undefined {
    return this.#off ? undefined : this.#names.get(sql);
  }

  /**
   * After a schema change ran: every text gets a new name when it is kept again. A plan
   * prepared before the change under an old name would fail on its next run (`cached plan
   * must not change result type` for `SELECT *` of an altered table), and inside a
   * transaction that failure aborts it, where it cannot be run again unprepared.
   */
  reset(): void {
    this.#names.clear();
  }

  /**
   * After a prepared run failed with `error`: true when the failure came from the
   * statement being prepared (nothing ran), so it is to run again unprepared.
   */
  failed(sql: string, error: unknown): boolean {
    const { code, message } = (error ?? {}) as { code?: unknown; message?: unknown };
    if (typeof code !== 'string' || !stale(code, String(message))) return false;
    this.#names.delete(sql);
    if (code !== '0A000') this.#off = true;
    return true;
  }
}

/** A batch that failed on a plan made stale under a kept name, rolled back: to run again (see `PostgresAdapter.runBatch`). */
export class StalePlan extends Error {
  constructor(readonly error: Error) {
    super(error.message);
  }
}

/** Runs `run` again while it fails with a {@link StalePlan}, at most `times` more: each try runs one more stale text unprepared. */
export async function againIfStale<T>(run: () => Promise<T>, times: number): Promise<T> {
  for (let tries = 0; ; tries++) {
    try {
      return await run();
    } catch (error) {
      if (!(error instanceof StalePlan)) throw error;
      if (tries >= times) throw error.error;
    }
  }
}
