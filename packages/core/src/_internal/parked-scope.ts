/**
 * A callback-scoped resource (a transaction, a savepoint, a session) held open between
 * two calls: Kysely drives these with begin/commit calls, while adapters take a callback.
 */
export interface ParkedScope<S> {
  /** What the callback received: the adapter scoped to the transaction or session. */
  readonly scope: S;
  /** Lets the callback return (`commit`) or throw (`rollback`), and waits for the scope to close. */
  end(outcome: 'commit' | 'rollback'): Promise<void>;
}

const ROLLBACK = Symbol('rollback');

/**
 * Opens `open(callback)` and parks inside the callback until `end()` is called. Rejects
 * when `open` fails before calling back (an engine without transactions, a setting
 * it cannot honour, a pool with no connection to give).
 */
export async function park<S>(open: (callback: (scope: S) => Promise<void>) => Promise<unknown>): Promise<ParkedScope<S>> {
  let enter!: (scope: S) => void;
  const entered = new Promise<S>((resolve) => (enter = resolve));
  let release!: (outcome: 'commit' | 'rollback') => void;
  const released = new Promise<'commit' | 'rollback'>((resolve) => (release = resolve));
  const finished = open(async (scope) => {
    enter(scope);
    if ((await released) === 'rollback') throw ROLLBACK;
  });
  const closedEarly = finished.then(() => {
    throw new Error('The scope closed before its callback ran.');
  });
  const scope = await Promise.race([entered, closedEarly]);
  closedEarly.catch(() => undefined);
  return {
    scope,
    async end(outcome) {
      release(outcome);
      try {
        await finished;
      } catch (error) {
        if (error !== ROLLBACK) throw error;
      }
    },
  };
}
