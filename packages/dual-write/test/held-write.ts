import type { DatabaseAdapter } from '@switchyard/core';

/** A real adapter whose next write can be held back, as one caught in the network is. */
export interface HeldWrite<A extends DatabaseAdapter> {
  adapter: A;
  /**
   * Holds the next write (`batch()`, or `execute()` for a group of one statement): it runs
   * after `ms`, landing after its caller may have stopped waiting; without `ms` it never
   * runs and never answers, as one sent on a connection that went silent.
   */
  arm(ms?: number): void;
  /** Resolves once the held write was sent. */
  held: Promise<void>;
  /** Resolves once the held write ran (landed or failed). */
  landed: Promise<void>;
}

/** Wraps `adapter` so that its next write can be held (see {@link HeldWrite}). */
export function holdNextWrite<A extends DatabaseAdapter>(adapter: A): HeldWrite<A> {
  let armed = false;
  let delay: number | undefined;
  let markHeld!: () => void;
  let markLanded!: () => void;
  const held = new Promise<void>((resolve) => (markHeld = resolve));
  const landed = new Promise<void>((resolve) => (markLanded = resolve));
  const wrapped = new Proxy(adapter, {
    get(target, key) {
      const value = Reflect.get(target, key, target);
      if (key !== 'batch' && key !== 'execute') return typeof value === 'function' ? value.bind(target) : value;
      return async (...args: unknown[]) => {
        const run = () => (value as (...a: unknown[]) => unknown).apply(target, args);
        if (!armed) return run();
        armed = false;
        markHeld();
        if (delay === undefined) return new Promise(() => {});
        await new Promise((resolve) => setTimeout(resolve, delay));
        try {
          return await run();
        } finally {
          markLanded();
        }
      };
    },
  });
  return {
    adapter: wrapped,
    arm: (ms) => {
      armed = true;
      delay = ms;
    },
    held,
    landed,
  };
}

/** `adapter`, whose next write runs and then holds its answer until `resume()`. */
export function holdAnswerOfNextWrite(adapter: DatabaseAdapter) {
  let armed = false;
  let ran!: () => void;
  let resume!: () => void;
  const written = new Promise<void>((resolve) => (ran = resolve));
  const resumed = new Promise<void>((resolve) => (resume = resolve));
  const wrapped = new Proxy(adapter, {
    get(target, key) {
      const value = Reflect.get(target, key, target);
      if (key !== 'batch' && key !== 'execute') return typeof value === 'function' ? value.bind(target) : value;
      return async (...args: unknown[]) => {
        const result = await (value as (...a: unknown[]) => Promise<unknown>).apply(target, args);
        if (armed) {
          armed = false;
          ran();
          await resumed;
        }
        return result;
      };
    },
  });
  return { adapter: wrapped, arm: () => (armed = true), written, resume };
}
