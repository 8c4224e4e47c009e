import { createSQLiteAdapter } from '@switchyard/sqlite';
import { validateDatabases } from '@switchyard/validation';
import { expect, it } from 'vitest';
import { drainOutbox, outboxMirror } from '../src/mirror/index';
import { createDualWriteAdapter } from './patient-dual-write';
import { usePostgresPair } from './postgres-kinds';

// pg parses each element of a json[] or jsonb[] array, which loses what the array holds: a
// jsonb number's scale, a json document's key order and spacing, the JSON null document
// (read as a NULL element), and a string element (`"s"` read as `s`), which a Postgres
// secondary then refused as no JSON at all, journaling the write.
const pg = usePostgresPair(false);

const TABLE = 'DROP TABLE IF EXISTS docs; CREATE TABLE docs (id serial PRIMARY KEY, jb jsonb[], js json[])';
const VALUES: [string, string][] = [
  ['{"{\\"a\\": 1.50}","\\"s\\""}', '{"{\\"b\\":1,  \\"a\\":2}"}'],
  ['{"null",NULL}', '{"null","\\"1\\"",1}'],
  ['{}', '{"[1.0, \\"x\\"]"}'],
];

const texts = (side: typeof pg.primary) => side.query('SELECT id, jb::text AS jb, js::text AS js FROM docs ORDER BY id');

it('Postgres -> Postgres: json[] and jsonb[] arrive as the primary holds them, and verifyWrites agrees', async () => {
  await pg.primary.execute(TABLE);
  await pg.secondary.execute(TABLE);
  const dual = createDualWriteAdapter(pg.primary, pg.secondary, { verifyWrites: true });
  for (const [jb, js] of VALUES) await dual.execute('INSERT INTO docs (jb, js) VALUES (?::jsonb[], ?::json[])', [jb, js]);
  await dual.execute(`UPDATE docs SET jb = array_append(jb, '"t"') WHERE id = ?`, [3]);
  await dual.transaction(async (tx) => {
    await tx.execute('INSERT INTO docs (jb, js) SELECT jb, js FROM docs WHERE id = ?', [1]);
  });
  expect(dual.getMetrics()).toMatchObject({ secondaryFailures: 0, verificationFailures: 0 });
  expect(await texts(pg.secondary)).toEqual(await texts(pg.primary));
  expect((await texts(pg.secondary))[0]).toEqual({ id: 1, jb: '{"{\\"a\\": 1.50}","\\"s\\""}', js: '{"{\\"b\\":1,  \\"a\\":2}"}' });
  const report = await validateDatabases(pg.primary, pg.secondary, { validateAllRows: true, tables: ['docs'] });
  expect(report.ok).toBe(true);
});

it('SQLite -> Postgres: a JSON list reaches a jsonb[] column element by element, strings as string documents', async () => {
  await pg.secondary.execute(TABLE);
  const sqlite = createSQLiteAdapter(':memory:');
  await sqlite.execute('CREATE TABLE docs (id INTEGER PRIMARY KEY, jb JSON, js JSON)');
  const dual = createDualWriteAdapter(sqlite, pg.secondary, { verifyWrites: true });
  await dual.execute('INSERT INTO docs (id, jb, js) VALUES (?, ?, ?)', [1, '["s", {"a": 1}, null, 2.5]', '["{\\"a\\":1}", [1]]']);
  await dual.execute('INSERT INTO docs (id, jb, js) VALUES (?, ?, ?)', [2, '[]', null]);
  expect(dual.getMetrics()).toMatchObject({ secondaryFailures: 0, verificationFailures: 0 });
  expect(await texts(pg.secondary)).toEqual([
    { id: 1, jb: '{"\\"s\\"","{\\"a\\": 1}",NULL,2.5}', js: '{"\\"{\\\\\\"a\\\\\\":1}\\"",[1]}' },
    { id: 2, jb: '{}', js: null },
  ]);
  const report = await validateDatabases(sqlite, pg.secondary, { validateAllRows: true, tables: ['docs'] });
  expect(report.ok).toBe(true);
  await sqlite.close();
});

// Through an outbox the drain stopped at such an entry (MirrorApplyError), holding back every later one.
it('Postgres -> Postgres through an outbox: the drain applies json[] and jsonb[] as the primary holds them', async () => {
  await pg.primary.execute(TABLE);
  await pg.secondary.execute(TABLE);
  const mirror = outboxMirror(pg.primary);
  const dual = createDualWriteAdapter(pg.primary, pg.secondary, { secondaryWrites: 'async', mirror });
  for (const [jb, js] of VALUES) await dual.execute('INSERT INTO docs (jb, js) VALUES (?::jsonb[], ?::json[])', [jb, js]);
  expect(await drainOutbox(pg.secondary, { mirror })).toMatchObject({ applied: VALUES.length, aborted: false });
  expect(await texts(pg.secondary)).toEqual(await texts(pg.primary));
});
