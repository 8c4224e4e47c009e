import type { D1Transport } from './d1-transport';

/**
 * The transport calls still on their way. D1 gives no handle on a request once it is sent
 * (no session to end, as on Postgres): a write a caller stopped waiting for can still run.
 * What can be known is when each call ends: its answer came, or the client gave up on it
 * (the REST client's `timeoutMs` and retries bound that). A fence waits for those.
 */
export class InFlightCalls {
  readonly #calls = new Set<Promise<unknown>>();

  /** Wraps `transport` so that each of its calls is counted until it settles. */
  track(transport: D1Transport): D1Transport {
    return {
      run: (statement) => this.#add(transport.run(statement)),
      runRaw: (statement) => this.#add(transport.runRaw(statement)),
      batch: (statements) => this.#add(transport.batch(statements)),
      ...(transport.close ? { close: () => transport.close!() } : {}),
    };
  }

  /** Waits until every call sent before now has settled; returns how many it waited for. */
  async settle(): Promise<number> {
    const calls = [...this.#calls];
    await Promise.allSettled(calls);
    return calls.length;
  }

  #add<T>(call: Promise<T>): Promise<T> {
    this.#calls.add(call);
    const done = () => this.#calls.delete(call);
    call.then(done, done);
    return call;
  }
}
