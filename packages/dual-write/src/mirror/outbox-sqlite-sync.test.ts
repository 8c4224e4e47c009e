import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { ConstraintError, nativeHandle, type DatabaseAdapter } from '@switchyard/core';
import { createSQLiteAdapter } from '@switchyard/sqlite';
import { createDualWriteAdapter } from '../../test/patient-dual-write';
import { expectSameRows } from '../../test/mirror/mirror-test-kit';
import { drainOutbox, resolveOutboxOps } from './outbox-drain';
import { outboxMirror, type OutboxMirror } from './outbox-mirror';

const DDL = 'CREATE TABLE v (id INTEGER PRIMARY KEY, big BIGINT, real REAL, flag BOOLEAN, at DATETIME, note TEXT, bytes BLOB)';
const INSERT = 'INSERT INTO v (id, big, real, flag, at, note, bytes) VALUES (?, ?, ?, ?, ?, ?, ?)';
const values = (id: number) => [
  id,
  9007199254740993n + BigInt(id),
  0.1 + id,
  id % 2 === 0,
  new Date(Date.UTC(2026, 0, 2, 3, 4, 5, 678)),
  `"quoted" \\ ünïcode ${id} \u2028`,
  new Uint8Array([0, 255, id]),
];

interface Side {
  primary: DatabaseAdapter;
  secondary: DatabaseAdapter;
  mirror: OutboxMirror;
  adapter: DatabaseAdapter;
}

async function side(): Promise<Side> {
  const primary = createSQLiteAdapter(':memory:');
  const secondary = createSQLiteAdapter(':memory:');
  for (const a of [primary, secondary]) await a.execute(DDL);
  const mirror = outboxMirror(primary);
  return { primary, secondary, mirror, adapter: createDualWriteAdapter(primary, secondary, { secondaryWrites: 'async', mirror }) };
}

const entries = async (s: Side) => (await s.mirror.peek(100)).map(({ opId: _o, createdAt: _c, seq: _s, ...rest }) => rest);

// On a better-sqlite3 primary the outbox entry is written in a transaction that never
// yields (transactionSync); it must be the entry the general path writes, and as atomic.
describe('the outbox on a SQLite primary, written synchronously', () => {
  let s: Side;
  beforeEach(async () => {
    s = await side();
  });
  afterEach(async () => {
    await s.primary.close();
    await s.secondary.close();
  });

  it('writes the entry the general path writes, and every value survives the drain', async () => {
    const general = await side();
    const sync = vi.spyOn(nativeHandle(s.primary, 'better-sqlite3')!, 'transactionSync');
    for (let id = 1; id <= 3; id++) {
      await s.adapter.execute(INSERT, values(id));
      await general.adapter.transaction((tx) => tx.execute(INSERT, values(id)));
    }
    await s.adapter.batch([
      { sql: 'UPDATE v SET note = ? WHERE id = ?', params: ['changed', 2] },
      { sql: 'DELETE FROM v WHERE id = ?', params: [3] },
    ]);
    await general.adapter.transaction(async (tx) => {
      await tx.execute('UPDATE v SET note = ? WHERE id = ?', ['changed', 2]);
      await tx.execute('DELETE FROM v WHERE id = ?', [3]);
    });
    // The first write reads the tables' definitions the general way; the others need none.
    expect(sync).toHaveBeenCalledTimes(3);
    const written = await entries(s);
    expect(written).toHaveLength(4);
    expect(written).toEqual(await entries(general));
    // Rows, not statements: the drain builds the upsert, with every value as it was stored.
    expect(written[0]!.statements).toEqual([]);
    const [first] = await resolveOutboxOps(s.mirror, s.secondary, await s.mirror.peek(1));
    expect(first!.statements[0]!.params).toEqual([
      1,
      9007199254740994n,
      1.1,
      0,
      '2026-01-02T03:04:05.678Z',
      '"quoted" \\ ünïcode 1 \u2028',
      new Uint8Array([0, 255, 1]),
    ]);
    for (const x of [s, general]) {
      // Each entry as it holds its rows: a stale one would be re-read from the primary instead.
      expect(await drainOutbox(x.secondary, { mirror: x.mirror })).toMatchObject({ applied: 4, stale: 0, repaired: 0 });
      await expectSameRows(x.primary, x.secondary, ['v']);
    }
    await general.primary.close();
    await general.secondary.close();
  });

  it('commits the write and its entry within the call, before the app awaits it', async () => {
    // The first writes read the table's definition and make sure of the outbox table.
    await s.adapter.execute(INSERT, values(1));
    await s.adapter.execute(INSERT, values(2));
    const database = nativeHandle(s.primary, 'better-sqlite3')!.database;
    const pending = s.adapter.execute(INSERT, values(3));
    // Nothing yielded: the row and its entry are there already, on the driver's own connection.
    expect(database.prepare('SELECT id FROM v WHERE id = 3').get()).toEqual({ id: 3 });
    expect(database.prepare(`SELECT count(*) AS n FROM ${s.mirror.table}`).get()).toEqual({ n: 3 });
    expect(await pending).toEqual({ rowsAffected: 1, lastInsertId: 3, rows: [] });
    expect(await s.adapter.query('INSERT INTO v (id) VALUES (?) RETURNING id', [4])).toEqual([{ id: 4 }]);
  });

  it("writes the general path's entry for generated columns, composite keys and deletes, and the drain makes the sides equal", async () => {
    const ddl = [
      'CREATE TABLE g (id INTEGER PRIMARY KEY, a INTEGER, twice INTEGER GENERATED ALWAYS AS (a * 2) VIRTUAL)',
      'CREATE TABLE ck (region TEXT, n INTEGER, note TEXT, bytes BLOB, PRIMARY KEY (region, n))',
    ];
    const general = await side();
    for (const x of [s, general]) for (const a of [x.primary, x.secondary]) for (const d of ddl) await a.execute(d);
    const writes: [string, unknown[]][] = [
      ['INSERT INTO g (a) VALUES (?)', [4]],
      ['INSERT INTO g (a) VALUES (?), (?)', [5, 6]],
      ['UPDATE g SET a = a + 1 WHERE a > ?', [4]],
      ['INSERT INTO ck (region, n, note, bytes) VALUES (?, ?, ?, ?)', ['eu', 1, 'a', new Uint8Array([1, 2])]],
      ['INSERT INTO ck (region, n, note) VALUES (?, ?, ?), (?, ?, ?)', ['eu', 2, 'b', 'us', 1, 'c']],
      ['UPDATE ck SET note = ? WHERE region = ?', ['changed', 'eu']],
      ['DELETE FROM ck WHERE region = ? AND n = ?', ['eu', 1]],
      ['DELETE FROM g WHERE a = ?', [6]],
    ];
    for (const [sql, params] of writes) {
      expect(await s.adapter.execute(sql, params)).toEqual(await general.adapter.transaction((tx) => tx.execute(sql, params)));
    }
    // Several statements in one write: rows of one table, as one group in the entry.
    const pair = [
      { sql: 'INSERT INTO ck (region, n) VALUES (?, ?)', params: ['ap', 1] },
      { sql: 'INSERT INTO ck (region, n, note) VALUES (?, ?, ?)', params: ['ap', 2, 'x'] },
    ];
    await s.adapter.batch(pair);
    await general.adapter.transaction(async (tx) => {
      for (const w of pair) await tx.execute(w.sql, w.params);
    });
    expect(await entries(s)).toEqual(await entries(general));
    for (const x of [s, general]) {
      expect(await drainOutbox(x.secondary, { mirror: x.mirror })).toMatchObject({ applied: writes.length + 1, stale: 0, repaired: 0 });
      await expectSameRows(x.primary, x.secondary, ['g']);
      const keyed = 'SELECT * FROM ck ORDER BY region, n';
      expect(await x.secondary.query(keyed)).toEqual(await x.primary.query(keyed));
    }
    expect(await s.secondary.query('SELECT id, a, twice FROM g ORDER BY id')).toEqual([
      { id: 1, a: 4, twice: 8 },
      { id: 3, a: 7, twice: 14 },
    ]);
    await general.primary.close();
    await general.secondary.close();
  });

  it('writes a column added after the tables were read, in both paths, though the secondary gets it only when drained', async () => {
    await s.adapter.execute(INSERT, values(1));
    // The secondary has no such column until the drain applies the change: the entries must not be built for its old table.
    await s.adapter.execute('ALTER TABLE v ADD COLUMN extra TEXT');
    await s.adapter.execute('INSERT INTO v (id, extra) VALUES (?, ?)', [2, 'native']);
    await s.adapter.transaction((tx) => tx.execute('INSERT INTO v (id, extra) VALUES (?, ?)', [3, 'transaction']));
    await s.adapter.execute('UPDATE v SET extra = ? WHERE id = ?', ['updated', 1]);
    expect(await drainOutbox(s.secondary, { mirror: s.mirror })).toMatchObject({ applied: 5, stale: 0, repaired: 0 });
    expect(await s.secondary.query('SELECT id, extra FROM v ORDER BY id')).toEqual([
      { id: 1, extra: 'updated' },
      { id: 2, extra: 'native' },
      { id: 3, extra: 'transaction' },
    ]);
    await expectSameRows(s.primary, s.secondary, ['v']);
  });

  it('leaves no entry for a failed write, and no write when its entry cannot be written', async () => {
    await s.adapter.execute(INSERT, values(1));
    await expect(s.adapter.execute(INSERT, values(1))).rejects.toBeInstanceOf(ConstraintError);
    await expect(
      s.adapter.batch([
        { sql: INSERT, params: values(2) },
        { sql: INSERT, params: values(1) },
      ]),
    ).rejects.toBeInstanceOf(ConstraintError);
    await s.primary.execute(`CREATE TRIGGER no_entries BEFORE INSERT ON ${s.mirror.table} BEGIN SELECT RAISE(ABORT, 'no entries'); END`);
    await expect(s.adapter.execute(INSERT, values(3))).rejects.toThrow('no entries');
    expect(await s.primary.query('SELECT id FROM v')).toEqual([{ id: 1 }]);
    expect(await s.mirror.peek(10)).toHaveLength(1);
    expect(s.primary.native?.kind === 'better-sqlite3' && s.primary.native.database.inTransaction).toBe(false);
  });

  it('waits for an open transaction and keeps the entries in commit order', async () => {
    await s.adapter.execute(INSERT, values(1));
    let release!: () => void;
    let started!: () => void;
    const held = new Promise<void>((resolve) => (release = resolve));
    const inside = new Promise<void>((resolve) => (started = resolve));
    const tx = s.adapter.transaction(async (t) => {
      await t.execute('UPDATE v SET note = ? WHERE id = ?', ['in transaction', 1]);
      started();
      await held;
    });
    await inside;
    const write = s.adapter.execute(INSERT, values(2));
    await new Promise((r) => setTimeout(r, 20));
    release();
    await Promise.all([tx, write]);
    const written = await s.mirror.peek(10);
    expect(written.map((op) => op.rows?.map((r) => r.key.id))).toEqual([[1], [1], [2]]);
    expect(written.map((op) => op.seq)).toEqual([...written.map((op) => op.seq)].sort((a, b) => a - b));
    // In commit order, so none is older than what row 1 already has.
    expect(await drainOutbox(s.secondary, { mirror: s.mirror })).toMatchObject({ applied: 3, stale: 0, repaired: 0 });
    await expectSameRows(s.primary, s.secondary, ['v']);
  });
});
