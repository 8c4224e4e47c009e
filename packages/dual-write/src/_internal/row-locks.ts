/**
 * What one write holds while it runs on both sides: tables shared (it touches only rows
 * it names, or only new rows), tables exclusive (it may touch any row), and named rows.
 */
export interface LockClaims {
  sharedTables: string[];
  exclusiveTables: string[];
  rows: string[];
}

/** The rows one write holds: those it named, those it took later, and every row of the tables it holds alone. */
export class HeldRows {
  readonly rows: Set<string>;
  readonly #exclusive: ReadonlySet<string>;

  constructor(claims: LockClaims) {
    this.rows = new Set(claims.rows);
    this.#exclusive = new Set(claims.exclusiveTables.map((t) => t.toLowerCase()));
  }

  covers(row: string): boolean {
    return this.rows.has(row) || this.#exclusive.has(row.slice(0, row.indexOf('\u0000')));
  }
}

interface Waiter {
  exclusive: boolean;
  grant: () => void;
}

interface LockState {
  holders: number;
  exclusive: boolean;
  waiting: Waiter[];
}

/**
 * In-process locks that keep writes to the same row in the primary's order on the
 * secondary, while writes to different rows run concurrently. A write takes its tables
 * (shared, or exclusive when it may touch rows it does not name) and then its rows, all
 * in one global order, so two writes can never wait for each other in a cycle. Waiters
 * are served first come, first served.
 */
export class RowLocks {
  readonly #locks = new Map<string, LockState>();

  /** Takes every lock of `claims`; resolves to the function that releases them. */
  async acquire(claims: LockClaims): Promise<() => void> {
    const wanted = new Map<string, boolean>();
    // Tables sort before rows ('a:' < 'b:'), so a write holding a table may take rows later.
    for (const t of claims.sharedTables) wanted.set(`a:${t.toLowerCase()}`, false);
    for (const t of claims.exclusiveTables) wanted.set(`a:${t.toLowerCase()}`, true);
    // A table held exclusively covers its rows.
    const exclusive = new Set(claims.exclusiveTables.map((t) => t.toLowerCase()));
    for (const r of claims.rows) {
      if (!exclusive.has(r.slice(0, r.indexOf('\u0000')))) wanted.set(`b:${r}`, true);
    }
    const names = [...wanted.keys()].sort();
    const held: string[] = [];
    for (const name of names) {
      const granted = this.#take(name, wanted.get(name)!);
      if (granted !== true) await granted;
      held.push(name);
    }
    return this.#releaser(held);
  }

  /**
   * Takes `table` shared if that needs no wait (no exclusive holder, nobody queued), and
   * returns its release; `undefined` when it would have to wait. For a write that runs
   * synchronously and must not yield to take its gate.
   */
  tryShared(table: string): (() => void) | undefined {
    const name = `a:${table.toLowerCase()}`;
    const state = this.#locks.get(name);
    if (state && !grantsAtOnce(state, false)) return undefined;
    this.#take(name, false);
    return this.#releaser([name]);
  }

  /**
   * Takes `row` (a row name of `table`) exclusively, and `table` shared unless the caller
   * holds it already (`tableHeld`), if neither needs a wait; `undefined` when one would.
   * For rows a write finds only after it took its locks (see `DependentLocks`).
   */
  tryRow(table: string, row: string, tableHeld: boolean): (() => void) | undefined {
    const names = [...(tableHeld ? [] : [`a:${table.toLowerCase()}`]), `b:${row}`];
    for (const name of names) {
      const state = this.#locks.get(name);
      if (state && !grantsAtOnce(state, name.startsWith('b:'))) return undefined;
    }
    for (const name of names) this.#take(name, name.startsWith('b:'));
    return this.#releaser(names);
  }

  /**
   * Whether a write other than the caller holds or waits for `table` (the caller holds it
   * itself when `own`): rows of it may be on their way to the secondary.
   */
  busy(table: string, own: boolean): boolean {
    const state = this.#locks.get(`a:${table.toLowerCase()}`);
    return state !== undefined && (state.holders > (own ? 1 : 0) || state.waiting.length > 0);
  }

  /**
   * Takes row locks after the write's tables (new rows an insert just created), and says
   * whether another write held one of them meanwhile: the caller then reads the rows
   * again, since that write may have changed them after this one. Rows the write holds
   * already (`held`: its claims, and what earlier calls took, which are added to it) are
   * skipped, since a lock is not taken twice by its holder: a new row can get the key of
   * a row the same write named, as SQLite gives the highest key again once it is deleted.
   */
  async acquireRows(rows: readonly string[], held: HeldRows): Promise<{ release: () => void; waited: boolean }> {
    const taken: string[] = [];
    let waited = false;
    for (const row of [...new Set(rows)].sort()) {
      if (held.covers(row)) continue;
      const name = `b:${row}`;
      const granted = this.#take(name, true);
      if (granted !== true) {
        waited = true;
        await granted;
      }
      taken.push(name);
      held.rows.add(row);
    }
    return { release: this.#releaser(taken), waited };
  }

  #releaser(held: string[]): () => void {
    let released = false;
    return () => {
      if (released) return;
      released = true;
      for (const name of held) this.#release(name);
    };
  }

  /** Locks held or awaited, for tests and metrics. */
  get size(): number {
    return this.#locks.size;
  }

  /** Takes the lock at once if it is free (`true`); otherwise queues, resolving when granted. */
  #take(name: string, exclusive: boolean): true | Promise<void> {
    let state = this.#locks.get(name);
    if (!state) {
      state = { holders: 0, exclusive: false, waiting: [] };
      this.#locks.set(name, state);
    }
    if (grantsAtOnce(state, exclusive)) {
      state.holders++;
      state.exclusive = exclusive;
      return true;
    }
    const s = state;
    return new Promise<void>((resolve) => s.waiting.push({ exclusive, grant: resolve }));
  }

  #release(name: string): void {
    const state = this.#locks.get(name)!;
    state.holders--;
    if (state.holders > 0) return;
    state.exclusive = false;
    // Grant the next waiter, and the shared waiters right behind it together.
    while (state.waiting.length > 0) {
      const next = state.waiting[0]!;
      if (state.holders > 0 && (next.exclusive || state.exclusive)) break;
      state.waiting.shift();
      state.holders++;
      state.exclusive = next.exclusive;
      next.grant();
      if (next.exclusive) break;
    }
    if (state.holders === 0 && state.waiting.length === 0) this.#locks.delete(name);
  }
}

/** Whether a lock in `state` is granted without a wait: nobody queued, and free or shared with a shared claim. */
function grantsAtOnce(state: LockState, exclusive: boolean): boolean {
  return state.waiting.length === 0 && (state.holders === 0 || (!exclusive && !state.exclusive));
}
