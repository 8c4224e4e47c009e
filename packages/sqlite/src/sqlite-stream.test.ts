import { describe, expect, it } from 'vitest';
import { createSQLiteAdapter } from './sqlite-create';

describe('sqlite stream()', () => {
  it('yields the first row alone, then chunks doubling up to chunkSize', async () => {
    const adapter = createSQLiteAdapter(':memory:');
    await adapter.execute('CREATE TABLE t (id INTEGER PRIMARY KEY)');
    await adapter.execute('WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < 40) INSERT INTO t SELECT i FROM n');
    const sizes: number[] = [];
    for await (const rows of adapter.stream('SELECT id FROM t ORDER BY id', [], { chunkSize: 8 })) sizes.push(rows.length);
    expect(sizes).toEqual([1, 2, 4, 8, 8, 8, 8, 1]);
    await adapter.close();
  });

  it('reads int64 beyond 2^53 exactly, even after rows already yielded', async () => {
    const adapter = createSQLiteAdapter(':memory:');
    await adapter.execute('CREATE TABLE t (id INTEGER PRIMARY KEY, v INTEGER)');
    await adapter.batch([
      { sql: 'INSERT INTO t VALUES (1, 1), (2, 2), (3, 3), (4, 4)' },
      { sql: 'INSERT INTO t VALUES (5, ?), (6, 6)', params: [9007199254740993n] },
    ]);
    const values: unknown[] = [];
    for await (const rows of adapter.stream<{ v: unknown }>('SELECT v FROM t ORDER BY id', [], { chunkSize: 2 })) {
      values.push(...rows.map((r) => r.v));
    }
    expect(values).toEqual([1, 2, 3, 4, 9007199254740993n, 6]);
    await adapter.close();
  });

  it('frees the database when the loop ends early, and refuses nothing after', async () => {
    const adapter = createSQLiteAdapter(':memory:');
    await adapter.execute('CREATE TABLE t (id INTEGER PRIMARY KEY)');
    await adapter.execute('INSERT INTO t VALUES (1), (2), (3)');
    for await (const _rows of adapter.stream('SELECT id FROM t')) break;
    expect(await adapter.execute('INSERT INTO t VALUES (4)')).toMatchObject({ rowsAffected: 1 });
    await adapter.close();
  });

  it('reads only the rows asked for: SQLite stops stepping when the loop ends', async () => {
    const adapter = createSQLiteAdapter(':memory:');
    let produced = 0;
    adapter.database.function('tick', { deterministic: false }, (value: unknown) => {
      produced++;
      return value;
    });
    const sql = 'WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < 1000000) SELECT tick(i) AS i FROM n';
    let chunks = 0;
    for await (const _rows of adapter.stream(sql, [], { chunkSize: 10 })) if (++chunks === 5) break;
    expect(produced).toBeLessThan(100);
    await adapter.close();
  });
});
