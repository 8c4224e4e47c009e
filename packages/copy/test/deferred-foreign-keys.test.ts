import { describe, expect, it } from 'vitest';
import type { DatabaseAdapter } from '@switchyard/core';
import { createSQLiteAdapter } from '@switchyard/sqlite';
import { translateSchema } from '../src/index';
import { usePostgresDatabase } from './fixtures';

// An app whose foreign keys are checked at commit (DEFERRABLE INITIALLY DEFERRED) may write a
// child before its parent inside a transaction; on a target checking each statement that
// transaction fails after the switch. The keys keep how they are checked, both ways.
const TABLES = (id: string) => [
  `CREATE TABLE parent (id ${id} PRIMARY KEY)`,
  `CREATE TABLE child (
    id ${id} PRIMARY KEY,
    parent_id ${id} NOT NULL REFERENCES parent (id) DEFERRABLE INITIALLY DEFERRED,
    other_id ${id} REFERENCES parent (id) DEFERRABLE
  )`,
];

async function childFirst(db: DatabaseAdapter): Promise<void> {
  await db.transaction(async (tx) => {
    await tx.execute('INSERT INTO child (id, parent_id) VALUES (1, 10)');
    await tx.execute('INSERT INTO parent (id) VALUES (10)');
  });
}

/** A transaction that writes a child whose parent never comes. */
function orphanChild(db: DatabaseAdapter): Promise<void> {
  return db.transaction(async (tx) => void (await tx.execute('INSERT INTO child (id, parent_id) VALUES (2, 99)')));
}

async function expectDeferral(db: DatabaseAdapter): Promise<void> {
  const child = (await db.introspect()).find((t) => t.name === 'child')!;
  const how = Object.fromEntries(child.foreignKeys.map((k) => [k.columns[0], k.deferrable]));
  expect(how).toEqual({ parent_id: 'deferred', other_id: 'immediate' });
}

describe('deferrable foreign keys keep how they are checked', () => {
  const postgres = usePostgresDatabase();

  it('SQLite -> Postgres -> SQLite: a transaction writes a child before its parent on each', async () => {
    const sqlite = createSQLiteAdapter(':memory:');
    const back = createSQLiteAdapter(':memory:');
    try {
      for (const sql of ['PRAGMA foreign_keys = ON', ...TABLES('INTEGER')]) await sqlite.execute(sql);
      await expectDeferral(sqlite);

      const toPg = translateSchema(await sqlite.introspect(), 'postgres', { from: 'sqlite' });
      for (const sql of toPg.statements) await postgres.adapter.execute(sql);
      await expectDeferral(postgres.adapter);
      await childFirst(postgres.adapter);
      // Checked at commit, not skipped: a child whose parent never comes is refused.
      await expect(orphanChild(postgres.adapter)).rejects.toThrow(/foreign key/i);

      const toSqlite = translateSchema(
        (await postgres.adapter.introspect()).filter((t) => ['parent', 'child'].includes(t.name)),
        'sqlite',
      );
      for (const sql of ['PRAGMA foreign_keys = ON', ...toSqlite.statements]) await back.execute(sql);
      await expectDeferral(back);
      await childFirst(back);
    } finally {
      await sqlite.close();
      await back.close();
    }
  });
});
