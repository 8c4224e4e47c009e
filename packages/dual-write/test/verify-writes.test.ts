import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createPostgresAdapter, type PostgresAdapter } from '@switchyard/postgres';
import { createSQLiteAdapter } from '@switchyard/sqlite';
import { createTestDatabase, type TestDatabase } from '@switchyard/testkit';
import type { DualWriteEvent } from '../src/index';
import { createDualWriteAdapter } from './patient-dual-write';

/**
 * verifyWrites compares the secondary's row (as its upsert returned it, or read back where
 * a trigger may change it later) with the primary's, read after the write, by logical type:
 * a value the secondary stored differently, by the smallest step, is flagged, whether the
 * engine's type changed it or a trigger did after the statement ran.
 */
let database: TestDatabase;
let pgSide: PostgresAdapter;

beforeAll(async () => {
  database = await createTestDatabase();
  pgSide = createPostgresAdapter(database.url, { max: 4 });
});

afterAll(async () => {
  await pgSide.close();
  await database.drop();
});

const failures = (events: DualWriteEvent[]) =>
  events.filter((e): e is Extract<DualWriteEvent, { type: 'verification-failed' }> => e.type === 'verification-failed');

describe('verifyWrites compares the row each side holds after the write', () => {
  it('SQLite -> Postgres: digits lost to a single-precision real are flagged', async () => {
    const sqlite = createSQLiteAdapter(':memory:');
    const events: DualWriteEvent[] = [];
    await sqlite.execute('CREATE TABLE vr_seen (id INTEGER PRIMARY KEY, x REAL, n INTEGER)');
    await pgSide.execute('CREATE TABLE vr_seen (id BIGINT PRIMARY KEY, x REAL, n BIGINT)');
    const own = createPostgresAdapter(database.url, { max: 2 });
    const dual = createDualWriteAdapter(sqlite, own, { verifyWrites: true, onEvent: (e) => events.push(e) });
    await dual.execute('INSERT INTO vr_seen (id, x, n) VALUES (?, ?, ?)', [1, 0.5, 1]);
    await dual.execute('UPDATE vr_seen SET n = n + 1 WHERE id = ?', [1]);
    expect(dual.getMetrics().verificationFailures).toBe(0);
    await dual.execute('INSERT INTO vr_seen (id, x, n) VALUES (?, ?, ?)', [2, 0.123456789, 1]);
    expect(dual.getMetrics().verificationFailures).toBeGreaterThanOrEqual(1);
    expect(failures(events)[0]?.reason).toMatch(/^vr_seen \{"id":2\}: row 0 column x: /);
    await dual.close();
  });

  it('SQLite -> SQLite: an AFTER trigger on the secondary that adds 1 is flagged', async () => {
    const primary = createSQLiteAdapter(':memory:');
    const secondary = createSQLiteAdapter(':memory:');
    const events: DualWriteEvent[] = [];
    for (const side of [primary, secondary]) await side.execute('CREATE TABLE vr_counts (id INTEGER PRIMARY KEY, n INTEGER NOT NULL)');
    await secondary.execute('CREATE TRIGGER vr_bump AFTER INSERT ON vr_counts BEGIN UPDATE vr_counts SET n = n + 1 WHERE id = NEW.id; END');
    const dual = createDualWriteAdapter(primary, secondary, { verifyWrites: true, onEvent: (e) => events.push(e) });
    await dual.execute('INSERT INTO vr_counts (id, n) VALUES (?, ?)', [1, 41]);
    expect(dual.getMetrics().verificationFailures).toBe(1);
    expect(failures(events)[0]?.reason).toBe('vr_counts {"id":1}: row 0 column n: "41" != "42"');
    await dual.close();
  });

  it('SQLite -> Postgres: an AFTER trigger on Postgres that adds 1 is flagged', async () => {
    const sqlite = createSQLiteAdapter(':memory:');
    const own = createPostgresAdapter(database.url, { max: 2 });
    const events: DualWriteEvent[] = [];
    await sqlite.execute('CREATE TABLE vr_after (id INTEGER PRIMARY KEY, n INTEGER NOT NULL)');
    await own.execute('CREATE TABLE vr_after (id BIGINT PRIMARY KEY, n BIGINT NOT NULL)');
    await own.execute(
      `CREATE FUNCTION vr_after_bump() RETURNS trigger AS $$ BEGIN UPDATE vr_after SET n = n + 1 WHERE id = NEW.id AND n = NEW.n; RETURN NULL; END $$ LANGUAGE plpgsql`,
    );
    await own.execute('CREATE TRIGGER vr_after_bump AFTER INSERT ON vr_after FOR EACH ROW EXECUTE FUNCTION vr_after_bump()');
    const dual = createDualWriteAdapter(sqlite, own, { verifyWrites: true, onEvent: (e) => events.push(e) });
    await dual.execute('INSERT INTO vr_after (id, n) VALUES (?, ?)', [1, 41]);
    expect(dual.getMetrics().verificationFailures).toBe(1);
    expect(failures(events)[0]?.reason).toBe('vr_after {"id":1}: row 0 column n: "41" != "42"');
    await dual.close();
  });

  it('Postgres -> Postgres: a secondary row drifted by one cent is made equal by the image of the next write', async () => {
    const other = await createTestDatabase();
    const primary = createPostgresAdapter(database.url, { max: 2 });
    const secondary = createPostgresAdapter(other.url, { max: 2 });
    try {
      for (const side of [primary, secondary]) await side.execute('CREATE TABLE vr_acct (id BIGINT PRIMARY KEY, balance NUMERIC NOT NULL)');
      const dual = createDualWriteAdapter(primary, secondary, { verifyWrites: true });
      await dual.execute('INSERT INTO vr_acct (id, balance) VALUES (?, ?)', [1, '100.00']);
      // Behind the adapter's back the secondary drifts by one cent; the next write to the row settles it.
      await secondary.execute('UPDATE vr_acct SET balance = balance + 0.01 WHERE id = 1');
      await dual.execute('UPDATE vr_acct SET balance = balance + 0 WHERE id = ?', [1]);
      expect(dual.getMetrics().verificationFailures).toBe(0);
      expect(await secondary.query('SELECT balance FROM vr_acct')).toEqual([{ balance: '100.00' }]);
    } finally {
      await primary.close();
      await secondary.close();
      await other.drop();
    }
  });
});
