import { afterEach, describe, expect, it } from 'vitest';
import type { DatabaseAdapter } from '@switchyard/core';
import { createPostgresAdapter } from '@switchyard/postgres';
import { createSQLiteAdapter } from '@switchyard/sqlite';
import { createD1Adapter } from '@switchyard/d1';
import { createTestD1 } from '@switchyard/testkit/d1';
import { validateDatabases } from '@switchyard/validation';
import { createDualWriteAdapter } from './patient-dual-write';
import { drainOutbox } from '../src/mirror/outbox-drain';
import { outboxMirror } from '../src/mirror/outbox-mirror';
import { dropOwnTables, twoTestDatabases } from './two-databases';

// RETURNING shows a row before the AFTER triggers of its statement ran: a trigger that
// touches the row it fired for (a SQLite `updated_at`, an audit label) leaves the primary's
// row other than the one captured. Such rows are read again, so the secondary gets them as
// they stay. The secondaries here have no trigger, as a schema moved by `switchyard schema` has none.

const dbs = twoTestDatabases();
const opened: DatabaseAdapter[] = [];
afterEach(async () => {
  for (const a of opened.splice(0)) await a.close();
});

const SQLITE_TRIGGERS = [
  "CREATE TRIGGER touch_ins AFTER INSERT ON notes BEGIN UPDATE notes SET label = 'new ' || NEW.body WHERE id = NEW.id; END",
  "CREATE TRIGGER touch_upd AFTER UPDATE OF body ON notes BEGIN UPDATE notes SET label = 'edited ' || NEW.body WHERE id = NEW.id; END",
];
const PG_TRIGGER = [
  'CREATE FUNCTION touch() RETURNS trigger LANGUAGE plpgsql AS $$ BEGIN ' +
    "UPDATE notes SET label = CASE WHEN TG_OP = 'INSERT' THEN 'new ' ELSE 'edited ' END || NEW.body WHERE id = NEW.id; RETURN NULL; END $$",
  'CREATE TRIGGER touch AFTER INSERT OR UPDATE OF body ON notes FOR EACH ROW WHEN (pg_trigger_depth() = 0) EXECUTE FUNCTION touch()',
];

/** Drops the table, its trigger function and Switchyard's own tables (see {@link dropOwnTables}). */
async function emptyPostgres(side: DatabaseAdapter) {
  await side.execute('DROP TABLE IF EXISTS notes; DROP FUNCTION IF EXISTS touch()');
  await dropOwnTables(side);
}

async function pair(primaryKind: 'sqlite' | 'postgres') {
  const primary =
    primaryKind === 'sqlite'
      ? createSQLiteAdapter(':memory:', { name: 'sqlite' })
      : createPostgresAdapter(dbs.database.url, { name: 'pg-a', max: 4 });
  const secondary = createPostgresAdapter(dbs.other.url, { name: 'pg-b', max: 4 });
  opened.push(primary, secondary);
  for (const side of [primary, secondary]) {
    if (side.dialect === 'postgres') await emptyPostgres(side);
    await side.execute('CREATE TABLE notes (id INTEGER PRIMARY KEY, body TEXT NOT NULL, label TEXT)');
  }
  for (const ddl of primaryKind === 'sqlite' ? SQLITE_TRIGGERS : PG_TRIGGER) await primary.execute(ddl);
  return { primary, secondary };
}

/** Inserts, edits (one by one, in a batch, in a transaction) and a delete, then checks every row. */
async function workload(dual: DatabaseAdapter, primary: DatabaseAdapter) {
  for (let id = 1; id <= 20; id++) await dual.execute('INSERT INTO notes (id, body) VALUES (?, ?)', [id, `n${id}`]);
  await dual.execute('UPDATE notes SET body = ? WHERE id = ?', ['x', 3]);
  await dual.execute("UPDATE notes SET body = body || '!' WHERE id > 15");
  await dual.batch([
    { sql: 'UPDATE notes SET body = ? WHERE id = ?', params: ['y', 4] },
    { sql: 'INSERT INTO notes (id, body) VALUES (?, ?)', params: [21, 'n21'] },
  ]);
  if (primary.capabilities.transactions) {
    await dual.transaction(async (tx) => {
      await tx.execute('UPDATE notes SET body = ? WHERE id = ?', ['z', 5]);
      await tx.execute('INSERT INTO notes (id, body) VALUES (?, ?)', [22, 'n22']);
    });
  }
  await dual.execute('DELETE FROM notes WHERE id = ?', [1]);
  expect(await primary.first('SELECT label FROM notes WHERE id = 3')).toEqual({ label: 'edited x' });
}

describe.each(['sqlite', 'postgres'] as const)('a %s primary whose AFTER trigger changes the row it fired for', (kind) => {
  it('gives the secondary the row as the trigger left it', async () => {
    const { primary, secondary } = await pair(kind);
    const dual = createDualWriteAdapter(primary, secondary);
    await workload(dual, primary);
    const report = await validateDatabases(primary, secondary, { validateAllRows: true, tables: ['notes'] });
    expect(report.tables[0]).toMatchObject({ differentRowsCount: 0, missingInTargetCount: 0, extraInTargetCount: 0 });
    expect(report.ok).toBe(true);
    await dual.close();
  });

  it('through an outbox, writes the rows as the trigger left them into the entries', async () => {
    const { primary, secondary } = await pair(kind);
    const mirror = outboxMirror(primary);
    const dual = createDualWriteAdapter(primary, secondary, { secondaryWrites: 'async', mirror });
    await workload(dual, primary);
    // Applied as the entries hold them: none is stale, so none is re-read from the primary.
    expect(await drainOutbox(secondary, { mirror })).toMatchObject({ applied: 25, stale: 0, repaired: 0 });
    expect((await validateDatabases(primary, secondary, { validateAllRows: true, tables: ['notes'] })).ok).toBe(true);
    await dual.close();
  });

  it('sees a trigger created behind its back within a second', async () => {
    const { primary, secondary } = await pair(kind);
    if (kind === 'sqlite') await primary.execute('DROP TRIGGER touch_upd');
    else await primary.execute('DROP TRIGGER touch ON notes');
    const dual = createDualWriteAdapter(primary, secondary);
    await dual.execute('INSERT INTO notes (id, body, label) VALUES (1, ?, ?)', ['a', 'plain']);
    // The catalog's answer (no AFTER UPDATE trigger) arrives, and the next writes trust it.
    await new Promise((resolve) => setTimeout(resolve, 50));
    await dual.execute('UPDATE notes SET body = ? WHERE id = 1', ['b']);
    await primary.execute(kind === 'sqlite' ? SQLITE_TRIGGERS[1]! : PG_TRIGGER[1]!);
    await new Promise((resolve) => setTimeout(resolve, 1_100));
    await dual.execute('UPDATE notes SET body = ? WHERE id = 1', ['d']);
    expect(await secondary.first('SELECT label FROM notes WHERE id = 1')).toEqual({ label: 'edited d' });
    await dual.transaction(async (tx) => {
      await tx.execute('UPDATE notes SET body = ? WHERE id = 1', ['e']);
    });
    expect(await secondary.first('SELECT label FROM notes WHERE id = 1')).toEqual({ label: 'edited e' });
    await dual.execute('UPDATE notes SET body = ? WHERE id = 1', ['d']);
    expect(await secondary.first('SELECT label FROM notes WHERE id = 1')).toEqual({ label: 'edited d' });
    await dual.close();
  });
});

describe('a D1 primary whose AFTER trigger changes the row it fired for', () => {
  it('gives the secondary the row as the trigger left it, and so does its outbox', async () => {
    const d1 = await createTestD1();
    try {
      // close() closes both sides: each half opens its own.
      const sides = () => {
        const secondary = createPostgresAdapter(dbs.other.url, { name: 'pg-b', max: 4 });
        opened.push(secondary);
        return { primary: createD1Adapter(d1.binding, { name: 'd1' }), secondary };
      };
      const sync = sides();
      await emptyPostgres(sync.secondary);
      for (const side of [sync.primary, sync.secondary])
        await side.execute('CREATE TABLE notes (id INTEGER PRIMARY KEY, body TEXT NOT NULL, label TEXT)');
      for (const ddl of SQLITE_TRIGGERS) await sync.primary.execute(ddl);
      const dual = createDualWriteAdapter(sync.primary, sync.secondary);
      await workload(dual, sync.primary);
      expect((await validateDatabases(sync.primary, sync.secondary, { validateAllRows: true, tables: ['notes'] })).ok).toBe(true);
      await dual.close();
      const { primary, secondary } = sides();
      await secondary.execute('DELETE FROM notes');
      await primary.execute('DELETE FROM notes');
      const mirror = outboxMirror(primary);
      const async = createDualWriteAdapter(primary, secondary, { secondaryWrites: 'async', mirror });
      await workload(async, primary);
      expect(await drainOutbox(secondary, { mirror })).toMatchObject({ stale: 0, repaired: 0 });
      expect((await validateDatabases(primary, secondary, { validateAllRows: true, tables: ['notes'] })).ok).toBe(true);
      await async.close();
    } finally {
      await d1.dispose();
    }
  });
});
