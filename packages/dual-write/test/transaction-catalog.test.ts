import { describe, expect, it } from 'vitest';
import { createSQLiteAdapter } from '@switchyard/sqlite';
import { createDualWriteAdapter } from './patient-dual-write';

describe('a transaction on a SQLite primary and writes beside it', () => {
  it('completes both when the write outside reads the schema first (after a replay cleared it)', async () => {
    const primary = createSQLiteAdapter(':memory:', { name: 'a' });
    const secondary = createSQLiteAdapter(':memory:', { name: 'b' });
    for (const side of [primary, secondary]) await side.execute('CREATE TABLE t (id INTEGER PRIMARY KEY, n INTEGER)');
    const dual = createDualWriteAdapter(primary, secondary);
    let entered!: () => void;
    const inside = new Promise<void>((resolve) => (entered = resolve));
    const tx = dual.transaction(async (t) => {
      entered();
      await new Promise((resolve) => setTimeout(resolve, 20));
      await t.execute('INSERT INTO t (id, n) VALUES (1, 1)');
    });
    await inside;
    // Its schema read waits for the transaction; the transaction must not wait for it.
    const outside = dual.execute('INSERT INTO t (id, n) VALUES (2, 2)');
    const outcome = await Promise.race([
      Promise.all([tx, outside]).then(() => 'done'),
      new Promise((resolve) => setTimeout(() => resolve('stuck'), 3_000)),
    ]);
    expect(outcome).toBe('done');
    expect(await secondary.query('SELECT id, n FROM t ORDER BY id')).toEqual([
      { id: 1, n: 1 },
      { id: 2, n: 2 },
    ]);
    await dual.close();
  });
});
