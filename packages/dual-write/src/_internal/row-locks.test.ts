import { describe, expect, it } from 'vitest';
import { RowLocks } from './row-locks';

describe('RowLocks.tryRow', () => {
  it('takes a free row (and its table shared) at once, and never waits for a held one', async () => {
    const locks = new RowLocks();
    const taken = locks.tryRow('child', 'child\u000010', false)!;
    expect(taken).toBeTypeOf('function');
    // Held: a second try fails, and a write naming the row waits until it is released.
    expect(locks.tryRow('child', 'child\u000010', true)).toBeUndefined();
    let granted = false;
    const waiting = locks.acquire({ sharedTables: ['child'], exclusiveTables: [], rows: ['child\u000010'] }).then((release) => {
      granted = true;
      return release;
    });
    await Promise.resolve();
    expect(granted).toBe(false);
    taken();
    (await waiting)();
    expect(locks.size).toBe(0);
  });

  it('fails while the table is held whole, unless the caller holds the table itself', async () => {
    const locks = new RowLocks();
    const whole = await locks.acquire({ sharedTables: [], exclusiveTables: ['child'], rows: [] });
    expect(locks.tryRow('Child', 'child\u000011', false)).toBeUndefined();
    whole();
    const shared = await locks.acquire({ sharedTables: ['child'], exclusiveTables: [], rows: [] });
    const row = locks.tryRow('child', 'child\u000011', true)!;
    expect(row).toBeTypeOf('function');
    row();
    shared();
    expect(locks.size).toBe(0);
  });
});
