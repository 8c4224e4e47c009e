import { createSQLiteAdapter } from '@switchyard/sqlite';
import { describe, expect, it } from 'vitest';
import { drainOutbox, outboxMirror } from '../src/index';

describe('outbox rows stored by an earlier release', () => {
  it('drains version 1 payloads next to version 2 ones', async () => {
    const primary = createSQLiteAdapter(':memory:');
    const secondary = createSQLiteAdapter(':memory:');
    await secondary.execute('CREATE TABLE t (id INTEGER PRIMARY KEY, big INTEGER, at TEXT, bytes BLOB)');
    const mirror = outboxMirror(primary);
    await mirror.ensureTable();
    const v1 = {
      v: 1,
      opId: '0000000001-old',
      seq: 1,
      createdAt: 1,
      statements: [
        {
          sql: 'INSERT INTO t VALUES (?, ?, ?, ?)',
          params: [
            ['v', 1],
            ['i', '9223372036854775807'],
            ['d', '2026-01-02T03:04:05.678Z'],
            ['b', '00ff'],
          ],
        },
      ],
    };
    await primary.execute(`INSERT INTO ${mirror.table} (op_id, payload, created_at) VALUES (?, ?, ?)`, [v1.opId, JSON.stringify(v1), 1]);
    const v2 = {
      v: 2,
      opId: '0000000002-new',
      seq: 2,
      createdAt: 2,
      statements: [{ sql: 'INSERT INTO t VALUES (?, ?, ?, ?)', params: [2, { $int: '9223372036854775806' }, 'x', { $bytes: '0102' }] }],
    };
    await primary.execute(`INSERT INTO ${mirror.table} (op_id, payload, created_at) VALUES (?, ?, ?)`, [v2.opId, JSON.stringify(v2), 2]);

    // Applied as stored, neither stale nor re-read from the primary (which does not have the rows).
    expect(await drainOutbox(secondary, { mirror })).toMatchObject({ applied: 2, stale: 0, repaired: 0 });
    const rows = await secondary.query<{ id: number; big: bigint; at: string; bytes: Uint8Array }>('SELECT * FROM t ORDER BY id');
    expect(rows.map((r) => [r.id, BigInt(r.big), r.at, [...r.bytes]])).toEqual([
      [1, 9223372036854775807n, '2026-01-02T03:04:05.678Z', [0, 255]],
      [2, 9223372036854775806n, 'x', [1, 2]],
    ]);
    await primary.close();
    await secondary.close();
  });
});
