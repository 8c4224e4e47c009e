import { describe, expect, it } from 'vitest';
import type { DatabaseAdapter } from '@switchyard/core';
import { createSQLiteAdapter } from '@switchyard/sqlite';
import { createDualWriteAdapter } from '../src/index';

/**
 * A real adapter whose next write (`batch()`, or `execute()` for a group of one statement)
 * is held back `ms` before it runs, as a write stuck in the network is: the caller stops
 * waiting, and the write lands later all the same.
 */
function delayNextBatch<A extends DatabaseAdapter>(adapter: A): { adapter: A; arm(ms: number): void; landed: Promise<void> } {
  let delay = 0;
  let markLanded!: () => void;
  const landed = new Promise<void>((resolve) => (markLanded = resolve));
  const wrapped = new Proxy(adapter, {
    get(target, key) {
      const value = Reflect.get(target, key, target);
      if (key !== 'batch' && key !== 'execute') return typeof value === 'function' ? value.bind(target) : value;
      return async (...args: unknown[]) => {
        const wait = delay;
        delay = 0;
        if (wait === 0) return (value as (...a: unknown[]) => unknown).apply(target, args);
        await new Promise((resolve) => setTimeout(resolve, wait));
        try {
          return await (value as (...a: unknown[]) => unknown).apply(target, args);
        } finally {
          markLanded();
        }
      };
    },
  });
  return { adapter: wrapped, arm: (ms) => (delay = ms), landed };
}

describe('a write that lands on the secondary after its timeout', () => {
  it('does not leave the secondary with its older row when the journal was replayed before it landed', async () => {
    const primary = createSQLiteAdapter(':memory:', { name: 'a' });
    const real = createSQLiteAdapter(':memory:', { name: 'b' });
    for (const side of [primary, real]) await side.execute('CREATE TABLE t (id INTEGER PRIMARY KEY, n INTEGER NOT NULL)');
    const slow = delayNextBatch(real);
    const events: string[] = [];
    const dual = createDualWriteAdapter(primary, slow.adapter, {
      continueOnSecondaryFailure: true,
      secondaryTimeoutMs: 100,
      probeIntervalMs: 50,
      onEvent: (e) => events.push(e.type === 'circuit' ? `circuit ${e.state}` : e.type),
    });
    await dual.execute('INSERT INTO t (id, n) VALUES (1, 0)');
    slow.arm(800);
    // Times out, is journaled, opens the circuit; its batch is still on its way.
    await dual.execute('UPDATE t SET n = ? WHERE id = ?', [1, 1]);
    // The probe closes the circuit and the replay settles row 1 from the primary (n = 1).
    await expect.poll(() => events.includes('journal-replayed'), { timeout: 2_000 }).toBe(true);
    await dual.execute('UPDATE t SET n = ? WHERE id = ?', [2, 1]);
    expect(await real.query('SELECT n FROM t')).toEqual([{ n: 2 }]);
    // Then the first write lands, with n = 1.
    await slow.landed;
    await expect
      .poll(async () => (await real.query('SELECT n FROM t'))[0], { timeout: 2_000, message: events.join(', ') })
      .toEqual({ n: 2 });
    await dual.close();
  });
});
