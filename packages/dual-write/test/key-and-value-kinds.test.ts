import { afterEach, describe, expect, it } from 'vitest';
import type { DatabaseAdapter } from '@switchyard/core';
import { createPostgresAdapter } from '@switchyard/postgres';
import { createSQLiteAdapter } from '@switchyard/sqlite';
import { validateDatabases } from '@switchyard/validation';
import { type DualWriteAdapter } from '../src/dual-write-adapter';
import { createDualWriteAdapter } from './patient-dual-write';
import { twoTestDatabases } from './two-databases';

// Keys and values that do not survive as JSON or as String(): bytes and timestamps as keys
// (a reference holds them as text, and a lookup by that text found nothing, so verifyWrites
// saw a row "on the secondary only" and a journaled row never settled), and Postgres
// types that pg reads as objects no statement takes back (point, circle).

const dbs = twoTestDatabases();
const opened: DatabaseAdapter[] = [];
afterEach(async () => {
  for (const a of opened.splice(0)) await a.close();
});

function pg(which: 'a' | 'b'): DatabaseAdapter {
  const adapter = createPostgresAdapter(which === 'a' ? dbs.database.url : dbs.other.url, { name: `pg-${which}`, max: 4 });
  opened.push(adapter);
  return adapter;
}

/** A SQLite primary and the second Postgres database, each table made on both from its pair of DDL (SQLite's, Postgres'). */
async function sqliteAndPostgres(tables: Array<[string, string]>): Promise<[DatabaseAdapter, DatabaseAdapter]> {
  const sqlite = createSQLiteAdapter(':memory:', { name: 'sqlite' });
  opened.push(sqlite);
  const b = pg('b');
  await b.execute('DROP TABLE IF EXISTS wr, bk, bk_away');
  for (const [own, theirs] of tables) {
    await sqlite.execute(own);
    await b.execute(theirs);
  }
  return [sqlite, b];
}

async function expectEqual(primary: DatabaseAdapter, secondary: DatabaseAdapter, dual: DualWriteAdapter, tables: string[]): Promise<void> {
  const m = dual.getMetrics();
  expect({ failures: m.secondaryFailures, verification: m.verificationFailures, journal: m.journalDepth }).toEqual({
    failures: 0,
    verification: 0,
    journal: 0,
  });
  const report = await validateDatabases(primary, secondary, { tables, validateAllRows: true });
  if (!report.ok) throw new Error(report.summary);
}

const BYTES = new Uint8Array([0, 255, 7]);

describe('keys and values that text does not carry as they are', () => {
  it('Postgres -> Postgres: bytea and timestamptz keys, geometric, range, bit, money, xml and array values', async () => {
    const [a, b] = [pg('a'), pg('b')];
    for (const side of [a, b]) {
      await side.execute('DROP TABLE IF EXISTS kb, kt, odd');
      await side.execute('CREATE TABLE kb (k bytea PRIMARY KEY, v int)');
      await side.execute('CREATE TABLE kt (k timestamptz PRIMARY KEY, v int)');
      await side.execute(
        'CREATE TABLE odd (id bigserial PRIMARY KEY, iv interval, ip inet, m money, bits bit(4), tags text[], ts tsvector, x xml, ' +
          'p point, c circle, ps point[], r int4range, tz timetz)',
      );
    }
    const dual = createDualWriteAdapter(a, b, { verifyWrites: true });
    await dual.execute('INSERT INTO kb (k, v) VALUES (?, ?)', [BYTES, 1]);
    await dual.execute('UPDATE kb SET v = v + 1 WHERE k = ?', [BYTES]);
    await dual.execute("INSERT INTO kt (k, v) VALUES ('2024-01-02 03:04:05.123456+00', 1)");
    await dual.execute('UPDATE kt SET v = v + 1');
    await dual.execute(
      "INSERT INTO odd (iv, ip, m, bits, tags, ts, x, p, c, ps, r, tz) VALUES ('1 day 02:03:04.5', '10.0.0.1/8', 12.34, B'1010', " +
        "ARRAY['a', 'b,c', NULL], to_tsvector('simple', 'quick fox'), '<a>1</a>', point(1.5, 2), circle(point(0.1, 0.2), 3), " +
        "ARRAY[point(1, 2), point(3.25, 4)], int4range(1, 5), '12:00+02')",
    );
    await dual.execute('UPDATE odd SET iv = iv * 2, m = m + 1::money, p = point(p[0] + 1, p[1]), c = circle(point(1, 1), 0.5)');
    await expectEqual(a, b, dual, ['kb', 'kt', 'odd']);
    // The adapter reads point and circle as the server's text, which goes back in as it came.
    expect(await a.query('SELECT p, c, ps FROM odd')).toEqual([{ p: '(2.5,2)', c: '<(1,1),0.5>', ps: ['(1,2)', '(3.25,4)'] }]);
  });

  it('SQLite -> Postgres: a BLOB key, a WITHOUT ROWID composite key and keyword names, verified', async () => {
    const [sqlite, b] = await sqliteAndPostgres([
      [
        'CREATE TABLE wr (k1 TEXT NOT NULL, k2 INTEGER NOT NULL, v REAL, PRIMARY KEY (k1, k2)) WITHOUT ROWID',
        'CREATE TABLE wr (k1 text NOT NULL, k2 bigint NOT NULL, v double precision, PRIMARY KEY (k1, k2))',
      ],
      ['CREATE TABLE bk (k BLOB PRIMARY KEY, "group" TEXT)', 'CREATE TABLE bk (k bytea PRIMARY KEY, "group" text)'],
    ]);
    const dual = createDualWriteAdapter(sqlite, b, { verifyWrites: true });
    await dual.execute('INSERT INTO wr (k1, k2, v) VALUES (?, ?, ?), (?, ?, ?)', ['a', 1, 0.1, 'a', 2, 1e300]);
    await dual.execute('UPDATE wr SET v = v * 3 WHERE k1 = ?', ['a']);
    await dual.execute('DELETE FROM wr WHERE k1 = ? AND k2 = ?', ['a', 1]);
    await dual.execute('INSERT INTO bk (k, "group") VALUES (?, ?)', [BYTES, 'g']);
    await dual.execute('UPDATE bk SET "group" = ? WHERE k = ?', ['h', BYTES]);
    await dual.execute('INSERT INTO bk (k, "group") VALUES (?, ?) ON CONFLICT (k) DO UPDATE SET "group" = excluded."group" || \'!\'', [
      BYTES,
      'z',
    ]);
    await expectEqual(sqlite, b, dual, ['wr', 'bk']);
  });

  it('a journaled write to a BLOB-keyed row settles from the primary when the journal is replayed', async () => {
    const [sqlite, b] = await sqliteAndPostgres([
      ['CREATE TABLE bk (k BLOB PRIMARY KEY, v INTEGER)', 'CREATE TABLE bk (k bytea PRIMARY KEY, v int)'],
    ]);
    const dual = createDualWriteAdapter(sqlite, b, { continueOnSecondaryFailure: true });
    await dual.execute('INSERT INTO bk (k, v) VALUES (?, ?)', [BYTES, 1]);
    // The secondary's table is away: the next writes fail there and wait in the journal.
    await b.execute('ALTER TABLE bk RENAME TO bk_away');
    await dual.execute('UPDATE bk SET v = ? WHERE k = ?', [2, BYTES]);
    await dual.execute('INSERT INTO bk (k, v) VALUES (?, ?)', [new Uint8Array([9]), 3]);
    expect(dual.getMetrics().journalDepth).toBeGreaterThan(0);
    await b.execute('ALTER TABLE bk_away RENAME TO bk');
    await dual.replayJournal();
    expect(dual.getMetrics().journalDepth).toBe(0);
    expect(await b.query('SELECT k, v FROM bk ORDER BY v')).toEqual([
      { k: Buffer.from(BYTES), v: 2 },
      { k: Buffer.from([9]), v: 3 },
    ]);
  });
});
