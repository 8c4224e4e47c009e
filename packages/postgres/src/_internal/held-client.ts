/**
 * A connection held between two calls, for a generator that cannot run inside a
 * callback: `hold(fn)` gets the callback form (the adapter's connection checkout),
 * and the connection stays out until `release()`. An error passed to `release` is
 * thrown inside the checkout, so a failed connection is discarded, not pooled.
 */
export interface HeldClient<C> {
  client: C;
  release(error?: unknown): Promise<void>;
}

/** Checks a connection out through `checkout` and holds it until `release()`. */
export async function holdClient<C>(checkout: (fn: (client: C) => Promise<void>) => Promise<void>): Promise<HeldClient<C>> {
  let got!: (client: C) => void;
  const ready = new Promise<C>((resolve) => (got = resolve));
  let finish!: (outcome: { error?: unknown }) => void;
  const done = new Promise<{ error?: unknown }>((resolve) => (finish = resolve));
  const held = checkout(async (client) => {
    got(client);
    const { error } = await done;
    if (error !== undefined) throw error;
  });
  const early = held.then(() => {
    throw new Error('The connection was released before use.');
  });
  early.catch(() => undefined);
  const client = await Promise.race([ready, early]);
  return {
    client,
    async release(error) {
      finish({ error });
      // The caller reports the error it passed; what the checkout rethrows is the same.
      await held.catch(() => undefined);
    },
  };
}
