import { afterEach, describe, expect, it } from 'vitest';
import type { DatabaseAdapter } from '@switchyard/core';
import { createD1Adapter } from '@switchyard/d1';
import { createTestD1 } from '@switchyard/testkit/d1';
import { validateDatabases } from '@switchyard/validation';
import { createDualWriteAdapter } from './patient-dual-write';
import { cascadeTables } from './cascade-tables';
import { openSide } from './open-side';
import { twoTestDatabases } from './two-databases';
import { writeDuringFault } from './write-during-fault';

// A delete's image names the rows its statement deleted, but the primary's foreign key
// actions changed more: ON DELETE CASCADE removed the rows that referenced them, SET NULL
// changed them. The runbook creates the secondary's foreign keys after the backfill, so
// until then the secondary would keep those rows as they were. They are found on the
// secondary and taken from the primary as they are now, before the delete.

const dbs = twoTestDatabases();
const opened: DatabaseAdapter[] = [];
afterEach(async () => {
  for (const a of opened.splice(0)) await a.close();
});

async function open(kind: 'sqlite' | 'postgres', which: 'a' | 'b', foreignKeys: boolean): Promise<DatabaseAdapter> {
  const adapter = openSide(dbs, kind, which, opened);
  if (kind === 'postgres') await adapter.execute('DROP TABLE IF EXISTS grandchild, child, child_away, parent');
  for (const ddl of cascadeTables(foreignKeys)) await adapter.execute(ddl);
  return adapter;
}

async function seed(dual: DatabaseAdapter): Promise<void> {
  await dual.execute("INSERT INTO parent (id, name) VALUES (1, 'a'), (2, 'b')");
  await dual.execute('INSERT INTO child (id, parent_id, other_id) VALUES (10, 1, 2), (11, 2, 1), (12, 2, 2)');
  await dual.execute('INSERT INTO grandchild (id, child_id) VALUES (100, 10), (101, 11)');
}

async function expectEqual(primary: DatabaseAdapter, secondary: DatabaseAdapter): Promise<void> {
  const report = await validateDatabases(primary, secondary, { tables: ['parent', 'child', 'grandchild'], validateAllRows: true });
  if (!report.ok) throw new Error(report.summary);
}

describe("rows a primary's ON DELETE actions changed", () => {
  for (const kind of ['sqlite', 'postgres'] as const) {
    it(`${kind} -> Postgres without foreign keys: cascaded and nulled rows reach it, two levels deep`, async () => {
      const [primary, secondary] = [await open(kind, 'a', true), await open('postgres', 'b', false)];
      const dual = createDualWriteAdapter(primary, secondary, { verifyWrites: true });
      await seed(dual);
      await dual.execute('DELETE FROM parent WHERE id = ?', [1]);
      expect(await secondary.query('SELECT id, parent_id, other_id FROM child ORDER BY id')).toEqual([
        { id: 11, parent_id: 2, other_id: null },
        { id: 12, parent_id: 2, other_id: 2 },
      ]);
      expect(await secondary.query('SELECT id FROM grandchild ORDER BY id')).toEqual([{ id: 101 }]);
      expect(dual.getMetrics().verificationFailures).toBe(0);
      await expectEqual(primary, secondary);
    });
  }

  it('inside a transaction, and on a SQLite primary that does not enforce its foreign keys, where nothing cascaded', async () => {
    const [pg, target] = [await open('postgres', 'a', true), await open('postgres', 'b', false)];
    const dual = createDualWriteAdapter(pg, target);
    await seed(dual);
    await dual.transaction((tx) => tx.execute('DELETE FROM parent WHERE id = ?', [2]));
    expect(await target.query('SELECT id, parent_id, other_id FROM child ORDER BY id')).toEqual([{ id: 10, parent_id: 1, other_id: null }]);
    await expectEqual(pg, target);

    const sqlite = openSide(dbs, 'sqlite', 'a', opened);
    for (const ddl of ['PRAGMA foreign_keys = OFF', ...cascadeTables(true)]) await sqlite.execute(ddl);
    await target.execute('DELETE FROM grandchild; DELETE FROM child; DELETE FROM parent');
    const loose = createDualWriteAdapter(sqlite, target);
    await seed(loose);
    await loose.execute('DELETE FROM parent WHERE id = ?', [1]);
    expect(await target.query('SELECT count(*)::int AS n FROM child')).toEqual([{ n: 3 }]);
    await expectEqual(sqlite, target);
  });

  it("SQLite -> D1: one delete of 150 referenced rows, looked up within D1's 100 parameters", async () => {
    const primary = await open('sqlite', 'a', true);
    const d1 = await createTestD1();
    const secondary = createD1Adapter(d1.binding, { name: 'd1' });
    try {
      for (const ddl of cascadeTables(false)) await secondary.execute(ddl);
      const dual = createDualWriteAdapter(primary, secondary);
      const ids = Array.from({ length: 150 }, (_, i) => i + 1);
      await dual.execute(`INSERT INTO parent (id, name) VALUES ${ids.map((id) => `(${id}, 'p')`).join(', ')}`);
      await dual.execute(`INSERT INTO child (id, parent_id) VALUES ${ids.map((id) => `(${id}, ${id})`).join(', ')}`);
      await dual.execute('DELETE FROM parent WHERE id <= ?', [150]);
      expect(await secondary.query('SELECT count(*) AS n FROM child')).toEqual([{ n: 0 }]);
      expect(dual.getMetrics().journalDepth).toBe(0);
      await expectEqual(primary, secondary);
    } finally {
      await secondary.close();
      await d1.dispose();
    }
  });

  it('found once the secondary answers, when the journal settles the deleted rows', async () => {
    const [primary, secondary] = [await open('sqlite', 'a', true), await open('postgres', 'b', false)];
    const dual = createDualWriteAdapter(primary, secondary, { continueOnSecondaryFailure: true });
    await seed(dual);
    // The secondary cannot be asked for the rows that reference the deleted one.
    await secondary.execute('ALTER TABLE child RENAME TO child_away');
    await dual.execute('DELETE FROM parent WHERE id = ?', [1]);
    expect(dual.getMetrics().journalDepth).toBeGreaterThan(0);
    await secondary.execute('ALTER TABLE child_away RENAME TO child');
    await dual.replayJournal();
    expect(dual.getMetrics().journalDepth).toBe(0);
    await expectEqual(primary, secondary);
  });

  it('a foreign key on a unique column other than the key: matched by the values the secondary still holds', async () => {
    const ddl = (fk: boolean) => [
      'CREATE TABLE team (id int PRIMARY KEY, code text NOT NULL UNIQUE)',
      `CREATE TABLE player (id int PRIMARY KEY, team_code text ${fk ? 'REFERENCES team (code) ON DELETE CASCADE' : ''}, ` +
        `captain_of text ${fk ? 'REFERENCES team (code) ON DELETE SET NULL' : ''})`,
    ];
    const [primary, secondary] = [openSide(dbs, 'sqlite', 'a', opened), openSide(dbs, 'postgres', 'b', opened)];
    await secondary.execute('DROP TABLE IF EXISTS player, team');
    for (const [side, fk] of [
      [primary, true],
      [secondary, false],
    ] as const)
      for (const sql of ddl(fk)) await side.execute(sql);
    const dual = createDualWriteAdapter(primary, secondary);
    await dual.execute("INSERT INTO team (id, code) VALUES (1, 'A'), (2, 'B')");
    await dual.execute("INSERT INTO player (id, team_code, captain_of) VALUES (10, 'A', 'B'), (11, 'B', 'A'), (12, 'B', NULL)");
    await dual.execute('DELETE FROM team WHERE id = ?', [1]);
    expect(await secondary.query('SELECT id, team_code, captain_of FROM player ORDER BY id')).toEqual([
      { id: 11, team_code: 'B', captain_of: null },
      { id: 12, team_code: 'B', captain_of: null },
    ]);
    const report = await validateDatabases(primary, secondary, { tables: ['team', 'player'], validateAllRows: true });
    if (!report.ok) throw new Error(report.summary);
  });

  it('a secondary that hangs while the referencing rows are looked up holds the write no longer than secondaryTimeoutMs', async () => {
    const primary = await open('sqlite', 'a', true);
    await open('postgres', 'b', false);
    await writeDuringFault(dbs, opened, primary, 'hang', {
      seed,
      write: (dual) => dual.execute('DELETE FROM parent WHERE id = ?', [1]),
      check: (secondary) => expectEqual(primary, secondary),
    });
  });
});
