import { describe, expect, it } from 'vitest';
import { InvalidArgumentError, type ExecResult, type Statement } from '@switchyard/core';
import { createDualWriteAdapter } from '../dual-write-adapter';
import { applyOps } from './op-apply';
import { drainOutbox, resolveOutboxOps } from './outbox-drain';
import { ROW_VERSIONS_TABLE } from './mirror-schema';
import { outboxMirror } from './outbox-mirror';
import { expectSameRows } from '../../test/mirror/mirror-test-kit';
import { INSERT, KINDS, VALUES, usePostgresPair } from '../../test/postgres-kinds';

// A Postgres primary writes each single-statement write and its outbox entry in one
// statement, the entry's rows built by the server. These tests hold that path to the
// general one (a transaction: the write, then the entry the client builds).

/** The workload: inserts with generated ids and defaults, the app's own RETURNING, updates absolute and relative, an upsert, deletes. */
function workload(): Statement[] {
  return [
    ...VALUES.map((params) => ({ sql: INSERT, params })),
    { sql: `${INSERT} RETURNING id, "Name" AS label`, params: VALUES[0]! },
    { sql: 'UPDATE kinds SET big = big + 1, "Name" = ? WHERE id = ?', params: ['renamed', 1] },
    { sql: 'UPDATE kinds SET f = f * 2 WHERE b', params: [] },
    {
      sql: 'INSERT INTO kinds (id, "Name") VALUES (?, ?) ON CONFLICT (id) DO UPDATE SET "Name" = excluded."Name" RETURNING *',
      params: [2, 'upserted'],
    },
    { sql: 'DELETE FROM kinds WHERE id = ?', params: [3] },
    { sql: 'DELETE FROM kinds WHERE p > ? RETURNING "Name"', params: [2] },
  ];
}

describe('outbox on Postgres: the entry built in the write statement', () => {
  const pg = usePostgresPair(false);

  const asyncPair = (table: string) => {
    const mirror = outboxMirror(pg.primary, { table });
    return { mirror, dual: createDualWriteAdapter(pg.primary, pg.secondary, { secondaryWrites: 'async', mirror }) };
  };

  /** A new table on both sides, and no row versions on the secondary: no test sees another's rows. */
  async function reset(): Promise<void> {
    for (const a of [pg.primary, pg.secondary]) for (const sql of KINDS) await a.execute(sql);
    await pg.secondary.execute(
      `DO $$ BEGIN IF to_regclass('${ROW_VERSIONS_TABLE}') IS NOT NULL THEN DELETE FROM ${ROW_VERSIONS_TABLE}; END IF; END $$`,
    );
  }

  it('makes the same results and, once resolved, the same operations as a transaction does', async () => {
    await reset();
    const fast = asyncPair('ob_fast');
    const fastResults: ExecResult[] = [];
    for (const s of workload()) fastResults.push(await fast.dual.execute(s.sql, s.params));
    const peeked = await fast.mirror.peek(100);
    expect(peeked.every((op) => op.captured !== undefined)).toBe(true);
    const fastOps = await resolveOutboxOps(fast.mirror, pg.secondary, peeked);
    expect(fastOps.every((op) => op.captured === undefined)).toBe(true);
    const fastRows = await pg.primary.query('SELECT * FROM kinds ORDER BY id');

    await reset();
    const general = asyncPair('ob_general');
    const generalResults: ExecResult[] = [];
    for (const s of workload()) generalResults.push(await general.dual.transaction((tx) => tx.execute(s.sql, s.params)));
    const generalPeeked = await general.mirror.peek(100);
    // A transaction's entry holds the rows as the client read them: core's stored values.
    expect(generalPeeked.every((op) => op.captured?.every((c) => c.values && !c.text))).toBe(true);
    const generalOps = await resolveOutboxOps(general.mirror, pg.secondary, generalPeeked);

    expect(fastResults).toEqual(generalResults);
    expect(fastOps.map((op) => ({ statements: op.statements, rows: op.rows }))).toEqual(
      generalOps.map((op) => ({ statements: op.statements, rows: op.rows })),
    );
    // The generated values differ between the two runs (uuid, now()): both ran from the same state otherwise.
    expect(fastRows.length).toBe((await pg.primary.query('SELECT id FROM kinds')).length);
  });

  it('carries every value to the secondary exactly', async () => {
    await reset();
    // Values only the primary knows: a fresh uuid and the time of the write.
    for (const a of [pg.primary, pg.secondary])
      await a.execute('ALTER TABLE kinds ADD COLUMN g uuid DEFAULT gen_random_uuid(), ADD COLUMN w timestamptz DEFAULT clock_timestamp()');
    const { mirror, dual } = asyncPair('ob_exact');
    for (const s of workload()) await dual.execute(s.sql, s.params);
    // Concurrent relative updates of the same rows: the entries' sequence follows the row locks.
    await dual.execute(INSERT, VALUES[3]);
    await Promise.all(
      Array.from({ length: 16 }, (_, i) =>
        dual.execute('UPDATE kinds SET big = big + 1, "Name" = ? WHERE id = ?', [`w${i}`, i % 2 ? 2 : 6]),
      ),
    );
    const progress = await drainOutbox(pg.secondary, { mirror });
    // Ten writes, one insert, sixteen updates; each entry applied in order (none stale, none re-read).
    expect(progress).toMatchObject({ applied: 27, stale: 0, repaired: 0 });
    await expectSameRows(pg.primary, pg.secondary, ['kinds']);
  });

  it('writes no entry for a write that changed nothing, and none for one that failed', async () => {
    await reset();
    const { mirror, dual } = asyncPair('ob_none');
    await dual.execute(INSERT, VALUES[0]);
    const before = (await mirror.peek(100)).length;
    expect((await dual.execute('UPDATE kinds SET f = 1 WHERE id = ?', [999])).rowsAffected).toBe(0);
    await expect(dual.execute('INSERT INTO kinds (id, "Name") VALUES (?, ?)', [1, 'dup'])).rejects.toThrow();
    await expect(dual.execute('UPDATE kinds SET p = ? WHERE id = ?', [-1, 1])).rejects.toThrow();
    expect((await mirror.peek(100)).length).toBe(before);
  });

  it('reads a schema change drained in the same batch before the rows written after it', async () => {
    await reset();
    const { mirror, dual } = asyncPair('ob_schema');
    await dual.execute(INSERT, VALUES[1]);
    // A default each side would compute for itself: only the primary's value, in the entry, makes them equal.
    await dual.execute(`ALTER TABLE kinds ADD COLUMN extra text DEFAULT md5(random()::text)`);
    await dual.execute(INSERT, VALUES[2]); // the same text as before the change, now with the new column
    await dual.execute('INSERT INTO kinds ("Name", extra) VALUES (?, ?)', ['after', 'y']);
    await dual.transaction((tx) => tx.execute(INSERT, VALUES[3]!)); // the client's entry, as stored values
    await dual.execute('UPDATE kinds SET extra = ? WHERE id = ?', ['z', 1]);
    // Six writes and the change's refill of its rows, each applied as the entry holds them: one
    // re-read from the primary instead would hide an entry that is wrong.
    expect(await drainOutbox(pg.secondary, { mirror, batchSize: 100 })).toMatchObject({ applied: 7, stale: 0, repaired: 0 });
    await expectSameRows(pg.primary, pg.secondary, ['kinds']);
  });

  it('keeps the transactional path for $n placeholders, and refuses to apply rows not yet resolved', async () => {
    await reset();
    const { mirror, dual } = asyncPair('ob_dollar');
    await dual.execute(INSERT, VALUES[2]);
    await dual.execute('UPDATE kinds SET "Name" = $1 WHERE id = $2', ['dollar', 1]);
    const [captured, general] = await mirror.peek(10);
    expect(captured!.captured?.[0]?.text).toHaveLength(1);
    expect(general!.captured?.[0]?.values).toHaveLength(1);
    await expect(applyOps(pg.secondary, [captured!])).rejects.toThrow(InvalidArgumentError);
    expect(await drainOutbox(pg.secondary, { mirror })).toMatchObject({ applied: 2, stale: 0, repaired: 0 });
    await expectSameRows(pg.primary, pg.secondary, ['kinds']);
  });
});
