import type { DatabaseAdapter } from '@switchyard/core';
import { createSQLiteAdapter } from '@switchyard/sqlite';
import { validateDatabases } from '@switchyard/validation';
import { expect, it } from 'vitest';
import type { DualWriteEvent } from '../src/index';
import { tableJournal } from '../src/index';
import { createMirrorConsumer, drainOutbox, outboxMirror, queueMirror } from '../src/mirror/index';
import { collectingQueue } from './queue-delivery';
import { createDualWriteAdapter } from './patient-dual-write';
import { dropOwnTables } from './two-databases';
import { usePostgresPair } from './postgres-kinds';

// A json or jsonb document that is not an object or an array is read by pg as the value it
// parses to, which loses what Postgres holds: the document `null` (Prisma's JsonNull) reads
// as SQL NULL (DbNull), a jsonb `1.50` as 1.5, a json ` false ` without its spacing. Row
// images read the plain way wrote those on the secondary (`j IS NULL` then found a row the
// primary does not hold), and verifyWrites, comparing what pg read, saw nothing. Now images
// carry the document's text.

const pg = usePostgresPair(false);

const TABLE = 'DROP TABLE IF EXISTS docs; CREATE TABLE docs (id serial PRIMARY KEY, j jsonb, s json, n int NOT NULL DEFAULT 0)';
/** What tells the two nulls apart, and each document's text, per row. */
const NULLS = 'SELECT id, j IS NULL AS j_sql, j::text AS j, s IS NULL AS s_sql, s::text AS s FROM docs ORDER BY id';

async function writeEveryShape(dual: DatabaseAdapter): Promise<void> {
  await dual.execute(`INSERT INTO docs (j, s) VALUES ('null', 'null'), (NULL, NULL), ('{"a": null}', ' null ')`);
  await dual.execute(`INSERT INTO docs (j, s) VALUES ('1.50', ' false '), ('"x"', ' "y" '), ('[1.50]', '1e2'), ('-0', '-0.0')`);
  // Strings that hold JSON text: a string document still, not the JSON it spells.
  await dual.execute(`INSERT INTO docs (j, s) VALUES ('"{\\"a\\": 1}"', '"1"')`);
  await dual.execute(`INSERT INTO docs (j, s) VALUES (?::jsonb, ?::json) RETURNING j, s`, ['null', 'null']);
  await dual.execute(`UPDATE docs SET j = 'null'::jsonb, n = n + 1 WHERE id = ?`, [2]);
  await dual.execute(`UPDATE docs SET j = NULL WHERE id = ?`, [1]);
  await dual.batch([
    { sql: `INSERT INTO docs (j, s) VALUES ('null', NULL)`, params: [] },
    { sql: `UPDATE docs SET s = 'null' WHERE id = ?`, params: [3] },
  ]);
  await dual.transaction(async (tx) => {
    await tx.execute(`INSERT INTO docs (j, s) VALUES (NULL, 'null')`);
    await tx.execute(`UPDATE docs SET n = n + 1 WHERE j = 'null'::jsonb`);
  });
  // An UPDATE that moves a key is replayed, its rows captured as a key move's.
  await dual.execute(`UPDATE docs SET id = id + 100 WHERE id = ?`, [4]);
}

/** A column whose default each server computes: the pass after it gives the secondary every row again. */
const REFILLED = 'ALTER TABLE docs ADD COLUMN at timestamptz NOT NULL DEFAULT clock_timestamp()';

it('Postgres -> Postgres, synchronously: each document reaches the secondary as its text, the document null as itself, SQL NULL as SQL NULL', async () => {
  for (const side of [pg.primary, pg.secondary]) await side.execute(TABLE);
  const dual = createDualWriteAdapter(pg.primary, pg.secondary, { verifyWrites: true });
  // The app still reads what pg reads: null for both.
  expect((await dual.execute(`INSERT INTO docs (j, s) VALUES ('null', NULL) RETURNING j, s`)).rows).toEqual([{ j: null, s: null }]);
  await writeEveryShape(dual);
  await dual.execute(REFILLED);
  expect(await pg.primary.query(NULLS)).toContainEqual(expect.objectContaining({ j_sql: false, j: '1.50', s: ' false ' }));
  expect(await pg.secondary.query(NULLS)).toEqual(await pg.primary.query(NULLS));
  expect(dual.getMetrics()).toMatchObject({ secondaryFailures: 0, verificationFailures: 0 });
  const report = await validateDatabases(pg.primary, pg.secondary, { validateAllRows: true, tables: ['docs'] });
  expect(report.ok).toBe(true);
});

it('Postgres -> Postgres, through an outbox: the drained rows hold each document as its text', async () => {
  for (const side of [pg.primary, pg.secondary]) {
    await dropOwnTables(side);
    await side.execute(TABLE);
  }
  const mirror = outboxMirror(pg.primary);
  const dual = createDualWriteAdapter(pg.primary, pg.secondary, { secondaryWrites: 'async', mirror });
  await writeEveryShape(dual);
  await dual.execute(REFILLED);
  await drainOutbox(pg.secondary, { mirror });
  expect(await pg.secondary.query(NULLS)).toEqual(await pg.primary.query(NULLS));
});

it('Postgres -> Postgres, through a queue, and from a journal after the secondary failed: each document as its text again', async () => {
  for (const side of [pg.primary, pg.secondary]) await side.execute(TABLE);
  const { producer, deliver } = collectingQueue();
  const queued = createDualWriteAdapter(pg.primary, pg.secondary, { secondaryWrites: 'async', mirror: queueMirror(producer) });
  await writeEveryShape(queued);
  expect(await deliver(createMirrorConsumer(pg.secondary, { primary: pg.primary }))).toEqual([]);
  expect(await pg.secondary.query(NULLS)).toEqual(await pg.primary.query(NULLS));

  // The journal stores the images as text (core's stored values): the document survives it.
  await pg.secondary.execute('ALTER TABLE docs RENAME TO docs_away');
  const journaled = createDualWriteAdapter(pg.primary, pg.secondary, {
    journal: tableJournal(pg.primary),
    continueOnSecondaryFailure: true,
  });
  await journaled.execute(`UPDATE docs SET s = ' null ', j = 'null' WHERE id = ?`, [2]);
  await journaled.execute(`INSERT INTO docs (j, s) VALUES ('null', ' null '), ('2.50', ' true ')`);
  expect(journaled.getMetrics().secondaryFailures).toBeGreaterThan(0);
  await pg.secondary.execute('ALTER TABLE docs_away RENAME TO docs');
  await journaled.replayJournal();
  expect(journaled.getMetrics().journalDepth).toBe(0);
  expect(await pg.secondary.query(NULLS)).toEqual(await pg.primary.query(NULLS));
});

it('verifyWrites flags a secondary that made the document null SQL NULL, or 1.50 1.5, and nothing when it kept them', async () => {
  for (const side of [pg.primary, pg.secondary]) await side.execute(TABLE);
  // The least changes: an AFTER trigger on the secondary that makes the document null SQL NULL and 1.50 1.5.
  await pg.secondary.execute(
    `CREATE FUNCTION docs_change() RETURNS trigger AS $$ BEGIN UPDATE docs SET j = CASE WHEN j = 'null'::jsonb THEN NULL ELSE '1.5'::jsonb END WHERE id = NEW.id AND j::text IN ('null', '1.50'); RETURN NULL; END $$ LANGUAGE plpgsql`,
  );
  await pg.secondary.execute('CREATE TRIGGER docs_change AFTER INSERT ON docs FOR EACH ROW EXECUTE FUNCTION docs_change()');
  const events: DualWriteEvent[] = [];
  const dual = createDualWriteAdapter(pg.primary, pg.secondary, { verifyWrites: true, onEvent: (e) => events.push(e) });
  await dual.execute(`INSERT INTO docs (j) VALUES ('{"a": 1}'), ('2.50')`);
  expect(dual.getMetrics().verificationFailures).toBe(0);
  await dual.execute(`INSERT INTO docs (j) VALUES ('null')`);
  expect(dual.getMetrics().verificationFailures).toBe(1);
  await dual.execute(`INSERT INTO docs (j) VALUES ('1.50')`);
  expect(dual.getMetrics().verificationFailures).toBe(2);
  const reasons = events.flatMap((e) => (e.type === 'verification-failed' ? [e.reason] : []));
  expect(reasons).toEqual([expect.stringMatching(/docs \{"id":3\}.*column j/), expect.stringMatching(/docs \{"id":4\}.*column j/)]);
  await pg.secondary.execute('DROP FUNCTION docs_change CASCADE');
});

// verifyWrites once counted every JSON string document here (pg reads `"x"` as x, which it took for JSON text).
it('Postgres -> SQLite: each document is written as pg reads it, the document null as SQL NULL, as a copy writes them, and verifyWrites agrees', async () => {
  await pg.primary.execute(TABLE);
  const sqlite = createSQLiteAdapter(':memory:');
  await sqlite.execute('CREATE TABLE docs (id INTEGER PRIMARY KEY, j JSON, s JSON, n INTEGER NOT NULL DEFAULT 0)');
  const dual = createDualWriteAdapter(pg.primary, sqlite, { verifyWrites: true });
  await writeEveryShape(dual);
  expect(dual.getMetrics()).toMatchObject({ secondaryFailures: 0, verificationFailures: 0 });
  const read = 'SELECT id, j, s FROM docs ORDER BY id';
  const onPrimary = await pg.primary.query<{ id: number; j: unknown; s: unknown }>(read);
  const onSqlite = await sqlite.query<{ id: number; j: unknown; s: unknown }>(read);
  // A JSON column has NUMERIC affinity in SQLite: a number's text is stored as the number (-0 as 0).
  const plain = (v: unknown) => (typeof v === 'string' ? (JSON.parse(v) as unknown) : v);
  const zeroed = (v: unknown) => (typeof v === 'number' ? v + 0 : v);
  expect(onSqlite.map((r) => [r.id, zeroed(plain(r.j)), zeroed(plain(r.s))])).toEqual(
    onPrimary.map((r) => [r.id, zeroed(r.j), zeroed(r.s)]),
  );
  expect(onSqlite.filter((r) => r.j === 'null' || r.s === 'null' || r.j === '1.50')).toEqual([]);
  // Validation reads Postgres's documents as their text: `"x"` is the string document SQLite holds.
  const report = await validateDatabases(pg.primary, sqlite, { validateAllRows: true, tables: ['docs'] });
  expect(report.tables[0]!.differentRows).toEqual([]);
  expect(report.ok).toBe(true);
  await sqlite.close();
});

// pg reads a domain's column as its base type: a domain over jsonb loses the same documents.
it('Postgres -> Postgres: a column of a domain over jsonb or json carries its documents too, synchronously and through an outbox', async () => {
  const domains = `DO $$ BEGIN CREATE DOMAIN doc_d AS jsonb; CREATE DOMAIN text_doc_d AS json CHECK (json_typeof(VALUE) <> 'array');
    EXCEPTION WHEN duplicate_object THEN NULL; END $$`;
  const table = 'DROP TABLE IF EXISTS domain_docs; CREATE TABLE domain_docs (id serial PRIMARY KEY, j doc_d, s text_doc_d)';
  const read = 'SELECT id, j IS NULL AS j_sql, j::text AS j, s IS NULL AS s_sql, s::text AS s FROM domain_docs ORDER BY id';
  const write = async (dual: DatabaseAdapter) => {
    await dual.execute(`INSERT INTO domain_docs (j, s) VALUES ('null', 'null'), ('1.50', ' false '), (NULL, ' "y" ')`);
    await dual.execute(`UPDATE domain_docs SET j = '-0'::jsonb WHERE id = ?`, [3]);
  };
  for (const side of [pg.primary, pg.secondary]) {
    await side.execute(domains);
    await side.execute(table);
  }
  const sync = createDualWriteAdapter(pg.primary, pg.secondary, { verifyWrites: true });
  await write(sync);
  expect(sync.getMetrics()).toMatchObject({ secondaryFailures: 0, verificationFailures: 0 });
  const mirror = outboxMirror(pg.primary);
  await write(createDualWriteAdapter(pg.primary, pg.secondary, { secondaryWrites: 'async', mirror }));
  await drainOutbox(pg.secondary, { mirror });
  expect(await pg.primary.query(read)).toContainEqual({ id: 1, j_sql: false, j: 'null', s_sql: false, s: 'null' });
  expect(await pg.secondary.query(read)).toEqual(await pg.primary.query(read));
  expect((await validateDatabases(pg.primary, pg.secondary, { validateAllRows: true, tables: ['domain_docs'] })).ok).toBe(true);
});
