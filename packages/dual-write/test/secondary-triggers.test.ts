import { afterEach, expect, it } from 'vitest';
import type { DatabaseAdapter } from '@switchyard/core';
import { createPostgresAdapter } from '@switchyard/postgres';
import { createSQLiteAdapter } from '@switchyard/sqlite';
import { type DualWriteEventOf } from '../src/index';
import { createDualWriteAdapter } from './patient-dual-write';
import { twoTestDatabases } from './two-databases';

// A trigger on the secondary fires again on every row dual write applies there, rows the
// primary (and its own trigger) already finished. The app hears of it at the table's first
// write, from an event and from getMetadata(), rather than from validation later.

const dbs = twoTestDatabases();
const cleanup: (() => Promise<unknown>)[] = [];
afterEach(async () => {
  for (const close of cleanup.splice(0).reverse()) await close();
});

async function writeAndWatch(primary: DatabaseAdapter, secondary: DatabaseAdapter) {
  const events: DualWriteEventOf<'secondary-trigger'>[] = [];
  const dual = createDualWriteAdapter(primary, secondary, { onEvent: (e) => e.type === 'secondary-trigger' && events.push(e) });
  cleanup.push(() => dual.close());
  for (let id = 1; id <= 3; id++) {
    await dual.execute('INSERT INTO t (id, v) VALUES (?, ?)', [id, 1]);
    await dual.execute('INSERT INTO u (id, v) VALUES (?, ?)', [id, 1]);
    await dual.execute('UPDATE t SET v = v + 1 WHERE id = ?', [id]);
  }
  await expect.poll(() => events.length).toBe(1);
  // More writes to the same tables report nothing more.
  await dual.execute('UPDATE u SET v = 5 WHERE id = 1');
  await dual.execute('UPDATE t SET v = 5 WHERE id = 1');
  await new Promise((resolve) => setTimeout(resolve, 100));
  return { events, dual };
}

it('reports the triggers of a Postgres secondary table, once, and lists them in the metadata', async () => {
  const primary = createPostgresAdapter(dbs.database.url, { name: 'pg-a', max: 2 });
  const secondary = createPostgresAdapter(dbs.other.url, { name: 'pg-b', max: 2 });
  for (const side of [primary, secondary]) {
    await side.execute('DROP TABLE IF EXISTS t; CREATE TABLE t (id integer PRIMARY KEY, v integer NOT NULL, at timestamptz)');
    await side.execute('DROP TABLE IF EXISTS u; CREATE TABLE u (id integer PRIMARY KEY, v integer NOT NULL)');
  }
  await secondary.execute(
    'CREATE OR REPLACE FUNCTION touch() RETURNS trigger LANGUAGE plpgsql AS $$ BEGIN NEW.at := now(); RETURN NEW; END $$',
  );
  await secondary.execute('CREATE TRIGGER "Touch_At" BEFORE UPDATE ON t FOR EACH ROW EXECUTE FUNCTION touch()');
  // A disabled trigger does not fire: it is not reported.
  await secondary.execute('CREATE TRIGGER off BEFORE UPDATE ON u FOR EACH ROW EXECUTE FUNCTION touch()');
  await secondary.execute('ALTER TABLE u DISABLE TRIGGER off');
  const { events, dual } = await writeAndWatch(primary, secondary);
  expect(events).toEqual([expect.objectContaining({ target: 'pg-b', table: 't', triggers: ['Touch_At'] })]);
  expect(dual.getMetadata().secondaryTriggers).toEqual([{ table: 't', triggers: ['Touch_At'] }]);
});

it('reports the triggers of a SQLite secondary table', async () => {
  const primary = createPostgresAdapter(dbs.database.url, { name: 'pg-a', max: 2 });
  const secondary = createSQLiteAdapter(':memory:', { name: 'sqlite' });
  for (const side of [primary, secondary]) {
    await side.execute('DROP TABLE IF EXISTS t');
    await side.execute('CREATE TABLE t (id integer PRIMARY KEY, v integer NOT NULL, at text)');
    await side.execute('DROP TABLE IF EXISTS u');
    await side.execute('CREATE TABLE u (id integer PRIMARY KEY, v integer NOT NULL)');
  }
  await secondary.execute("CREATE TRIGGER touch AFTER UPDATE ON t BEGIN UPDATE t SET at = datetime('now') WHERE id = NEW.id; END");
  const { events, dual } = await writeAndWatch(primary, secondary);
  expect(events).toEqual([expect.objectContaining({ target: 'sqlite', table: 't', triggers: ['touch'] })]);
  expect(dual.getMetadata().secondaryTriggers).toEqual([{ table: 't', triggers: ['touch'] }]);
});
