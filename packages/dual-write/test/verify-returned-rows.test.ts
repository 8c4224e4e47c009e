import { describe, expect, it } from 'vitest';
import { createPostgresAdapter, type PostgresAdapter } from '@switchyard/postgres';
import { createSQLiteAdapter } from '@switchyard/sqlite';
import { createD1Adapter } from '@switchyard/d1';
import { createTestD1 } from '@switchyard/testkit/d1';
import type { DualWriteAdapter, DualWriteEvent } from '../src/index';
import { createDualWriteAdapter } from './patient-dual-write';
import { loggingAdapter } from './equality-helpers';
import { twoTestDatabases } from './two-databases';

/**
 * Under verifyWrites the secondary's upserts return the row as stored (`RETURNING *`) when
 * nothing on the table (a trigger, rule, cascading foreign key or partition) may change
 * rows after the statement, so only the primary is read again: SQLite and D1 count those in
 * the upsert itself, Postgres's catalog is asked in the background (trusted for 1 s). Each case changes one value by the
 * smallest step on the secondary and must see it flagged: through what the upsert
 * returned (a type that rounds), or through the read that a trigger or a cascade calls for.
 */
const dbs = twoTestDatabases();

const reasons = (events: DualWriteEvent[]) => events.flatMap((e) => (e.type === 'verification-failed' ? [e.reason] : []));
/** The statements of `log` that wrote `table` on the secondary, and those that read it. */
const upserts = (log: string[], table: string) => log.filter((sql) => sql.startsWith(`INSERT INTO "${table}"`));
const reads = (log: string[], table: string) => log.filter((sql) => sql.startsWith(`SELECT * FROM "${table}"`));

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/** A first write to a table, then time for a Postgres secondary's catalog to answer (a write never waits for it). */
async function warm(dual: DualWriteAdapter, sql: string, params: unknown[]): Promise<void> {
  await dual.execute(sql, params);
  await sleep(100);
}

async function pgPair(): Promise<{ primary: PostgresAdapter; secondary: PostgresAdapter; close: () => Promise<void> }> {
  const primary = createPostgresAdapter(dbs.database.url, { max: 4 });
  const secondary = createPostgresAdapter(dbs.other.url, { max: 4 });
  return { primary, secondary, close: async () => void (await Promise.all([primary.close(), secondary.close()])) };
}

describe('verifyWrites with the rows the secondary returned', () => {
  it('SQLite -> Postgres: digits lost to a single-precision real are flagged from the returned row; Postgres is not read', async () => {
    const sqlite = createSQLiteAdapter(':memory:');
    const pg = createPostgresAdapter(dbs.other.url, { max: 2 });
    await sqlite.execute('CREATE TABLE rr_seen (id INTEGER PRIMARY KEY, x REAL, n INTEGER)');
    await pg.execute('CREATE TABLE rr_seen (id BIGINT PRIMARY KEY, x REAL, n BIGINT)');
    const log: string[] = [];
    const events: DualWriteEvent[] = [];
    const dual = createDualWriteAdapter(sqlite, loggingAdapter(pg, log), { verifyWrites: true, onEvent: (e) => events.push(e) });
    await warm(dual, 'INSERT INTO rr_seen (id, x, n) VALUES (?, ?, ?)', [1, 0.5, 1]);
    log.length = 0;
    await dual.execute('UPDATE rr_seen SET n = n + 1 WHERE id = ?', [1]);
    await dual.execute('INSERT INTO rr_seen (id, x, n) VALUES (?, ?, ?)', [2, 0.123456789, 1]);
    expect(reasons(events)).toEqual([expect.stringMatching(/^rr_seen \{"id":2\}: row 0 column x: /)]);
    expect(
      upserts(log, 'rr_seen')
        .slice(0, 2)
        .every((sql) => sql.endsWith(' RETURNING *')),
    ).toBe(true);
    // Only the settling of row 2 read Postgres (under its lock): the writes were verified from what the upserts returned.
    expect(reads(log.slice(0, log.indexOf(upserts(log, 'rr_seen')[1]!) + 1), 'rr_seen')).toEqual([]);
    await dual.close();
    await pg.close();
  });

  it('Postgres -> Postgres: a thousandth lost to numeric(12,2) is flagged from the returned row', async () => {
    const { primary, secondary, close } = await pgPair();
    await primary.execute('CREATE TABLE rr_acct (id BIGINT PRIMARY KEY, balance NUMERIC(12,3) NOT NULL)');
    await secondary.execute('CREATE TABLE rr_acct (id BIGINT PRIMARY KEY, balance NUMERIC(12,2) NOT NULL)');
    const log: string[] = [];
    const events: DualWriteEvent[] = [];
    const dual = createDualWriteAdapter(primary, loggingAdapter(secondary, log), { verifyWrites: true, onEvent: (e) => events.push(e) });
    await warm(dual, 'INSERT INTO rr_acct (id, balance) VALUES (?, ?)', [1, '10.000']);
    log.length = 0;
    await dual.execute('INSERT INTO rr_acct (id, balance) VALUES (?, ?)', [2, '10.010']);
    expect(dual.getMetrics().verificationFailures).toBe(0);
    await dual.execute('UPDATE rr_acct SET balance = ? WHERE id = ?', ['10.001', 1]);
    expect(reasons(events)).toEqual([expect.stringMatching(/^rr_acct \{"id":1\}: row 0 column balance: /)]);
    // The writes were verified from what their upserts returned; only the settle read the row,
    // to compare it again under the primary's lock.
    expect(reads(log, 'rr_acct')).toEqual(['SELECT * FROM "rr_acct" WHERE "id" IN (?)']);
    await dual.close();
    await close();
  });

  it('Postgres -> Postgres: a microsecond lost to timestamptz(3) is flagged (both sides hold microseconds)', async () => {
    const { primary, secondary, close } = await pgPair();
    await primary.execute('CREATE TABLE rr_at (id BIGINT PRIMARY KEY, at TIMESTAMPTZ NOT NULL)');
    await secondary.execute('CREATE TABLE rr_at (id BIGINT PRIMARY KEY, at TIMESTAMPTZ(3) NOT NULL)');
    const events: DualWriteEvent[] = [];
    const dual = createDualWriteAdapter(primary, secondary, { verifyWrites: true, onEvent: (e) => events.push(e) });
    await warm(dual, 'INSERT INTO rr_at (id, at) VALUES (?, ?)', [1, '2024-05-01 10:00:00.123+00']);
    await dual.execute('INSERT INTO rr_at (id, at) VALUES (?, ?)', [2, '2024-05-01 10:00:00.123001+00']);
    expect(reasons(events)).toEqual([
      expect.stringMatching(/^rr_at \{"id":2\}: row 0 column at: "2024-05-01T10:00:00.123001Z" != "2024-05-01T10:00:00.123000Z"/),
    ]);
    await dual.close();
    await close();
  });

  it('Postgres -> Postgres: a BEFORE trigger on the secondary that adds 1 is flagged: the table is read back', async () => {
    const { primary, secondary, close } = await pgPair();
    for (const side of [primary, secondary]) await side.execute('CREATE TABLE rr_before (id BIGINT PRIMARY KEY, n BIGINT NOT NULL)');
    await secondary.execute(
      `CREATE FUNCTION rr_before_bump() RETURNS trigger AS $$ BEGIN NEW.n = NEW.n + 1; RETURN NEW; END $$ LANGUAGE plpgsql`,
    );
    await secondary.execute(
      'CREATE TRIGGER rr_before_bump BEFORE INSERT OR UPDATE ON rr_before FOR EACH ROW EXECUTE FUNCTION rr_before_bump()',
    );
    const log: string[] = [];
    const events: DualWriteEvent[] = [];
    const dual = createDualWriteAdapter(primary, loggingAdapter(secondary, log), { verifyWrites: true, onEvent: (e) => events.push(e) });
    await warm(dual, 'INSERT INTO rr_before (id, n) VALUES (?, ?)', [1, 1]);
    log.length = 0;
    await dual.execute('INSERT INTO rr_before (id, n) VALUES (?, ?)', [2, 41]);
    expect(reasons(events).at(-1)).toBe('rr_before {"id":2}: row 0 column n: "41" != "42"');
    // The upsert said its table has a trigger: the row was read back.
    expect(reads(log, 'rr_before').length).toBeGreaterThanOrEqual(1);
    await dual.close();
    await close();
  });

  it('Postgres -> Postgres: a cascade on the secondary only (ON UPDATE CASCADE) after the child was upserted is flagged', async () => {
    const { primary, secondary, close } = await pgPair();
    for (const side of [primary, secondary]) await side.execute('CREATE TABLE rr_parent (id BIGINT PRIMARY KEY, code TEXT UNIQUE)');
    await primary.execute('CREATE TABLE rr_child (id BIGINT PRIMARY KEY, code TEXT)');
    await secondary.execute('CREATE TABLE rr_child (id BIGINT PRIMARY KEY, code TEXT REFERENCES rr_parent (code) ON UPDATE CASCADE)');
    const log: string[] = [];
    const events: DualWriteEvent[] = [];
    // Settling cannot succeed (the secondary cannot hold a child of a code no parent has): it stays journaled.
    const options = { verifyWrites: true, continueOnSecondaryFailure: true, onEvent: (e: DualWriteEvent) => events.push(e) };
    const dual = createDualWriteAdapter(primary, loggingAdapter(secondary, log), options);
    await warm(dual, 'INSERT INTO rr_parent (id, code) VALUES (?, ?)', [1, 'a']);
    await warm(dual, 'INSERT INTO rr_child (id, code) VALUES (?, ?)', [0, 'a']);
    log.length = 0;
    // On the secondary the parent's upsert, after the child's returned 'a', changes the child's code to 'b'.
    await dual.batch([
      { sql: 'INSERT INTO rr_child (id, code) VALUES (?, ?)', params: [1, 'a'] },
      { sql: 'UPDATE rr_parent SET code = ? WHERE id = ?', params: ['b', 1] },
    ]);
    // The child's foreign key has an action: its rows are read back.
    expect(upserts(log, 'rr_child')[0]).not.toMatch(/RETURNING/);
    expect(reads(log, 'rr_child').length).toBeGreaterThanOrEqual(1);
    expect(reasons(events)).toEqual([expect.stringMatching(/^rr_child \{"id":1\}: row 0 column code: /)]);
    for (const entry of await dual.journalEntries()) await dual.discardJournalEntry(entry.id);
    await dual.close();
    await close();
  });

  it('Postgres -> Postgres: an AFTER trigger created on the secondary behind the adapter is taken into account within 1 s', async () => {
    const { primary, secondary, close } = await pgPair();
    for (const side of [primary, secondary]) await side.execute('CREATE TABLE rr_late (id BIGINT PRIMARY KEY, n BIGINT NOT NULL)');
    const log: string[] = [];
    const events: DualWriteEvent[] = [];
    const dual = createDualWriteAdapter(primary, loggingAdapter(secondary, log), { verifyWrites: true, onEvent: (e) => events.push(e) });
    await warm(dual, 'INSERT INTO rr_late (id, n) VALUES (?, ?)', [1, 1]);
    await dual.execute('INSERT INTO rr_late (id, n) VALUES (?, ?)', [2, 1]);
    expect(upserts(log, 'rr_late').at(-1)).toMatch(/ RETURNING \*$/);
    await secondary.execute(
      `CREATE FUNCTION rr_late_bump() RETURNS trigger AS $$ BEGIN UPDATE rr_late SET n = n + 1 WHERE id = NEW.id AND n = NEW.n; RETURN NULL; END $$ LANGUAGE plpgsql`,
    );
    await secondary.execute('CREATE TRIGGER rr_late_bump AFTER INSERT ON rr_late FOR EACH ROW EXECUTE FUNCTION rr_late_bump()');
    // The documented limit: the catalog's answer is trusted for 1 s, then asked again (and meanwhile the row read back).
    await sleep(1_100);
    await dual.execute('INSERT INTO rr_late (id, n) VALUES (?, ?)', [3, 41]);
    expect(reasons(events)).toEqual(['rr_late {"id":3}: row 0 column n: "41" != "42"']);
    await dual.close();
    await close();
  });

  it('Postgres -> SQLite: an AFTER trigger on SQLite that adds 1 is flagged; 2^53 + 1 rounded by a REAL column too', async () => {
    const pg = createPostgresAdapter(dbs.database.url, { max: 2 });
    const sqlite = createSQLiteAdapter(':memory:');
    await pg.execute('CREATE TABLE rr_pg_sqlite (id BIGINT PRIMARY KEY, n BIGINT NOT NULL, big BIGINT)');
    await sqlite.execute('CREATE TABLE rr_pg_sqlite (id INTEGER PRIMARY KEY, n INTEGER NOT NULL, big REAL)');
    const log: string[] = [];
    const events: DualWriteEvent[] = [];
    const dual = createDualWriteAdapter(pg, loggingAdapter(sqlite, log), { verifyWrites: true, onEvent: (e) => events.push(e) });
    await warm(dual, 'INSERT INTO rr_pg_sqlite (id, n, big) VALUES (?, ?, ?)', [1, 1, '9007199254740992']);
    log.length = 0;
    await dual.execute('INSERT INTO rr_pg_sqlite (id, n, big) VALUES (?, ?, ?)', [2, 1, '9007199254740993']);
    expect(reasons(events)).toEqual([expect.stringMatching(/^rr_pg_sqlite \{"id":2\}: row 0 column big: /)]);
    expect(upserts(log, 'rr_pg_sqlite')[0]).toMatch(/ RETURNING \*, /);
    await sqlite.execute(
      'CREATE TRIGGER rr_bump AFTER UPDATE ON rr_pg_sqlite BEGIN UPDATE rr_pg_sqlite SET n = n + 1 WHERE id = NEW.id AND n = NEW.n; END',
    );
    await dual.execute('UPDATE rr_pg_sqlite SET n = ? WHERE id = ?', [41, 1]);
    expect(reasons(events).at(-1)).toBe('rr_pg_sqlite {"id":1}: row 0 column n: "41" != "42"');
    await dual.close();
    await pg.close();
  });

  it('SQLite -> D1: upserts return the row where no trigger is; an AFTER trigger on D1 that adds 1 is flagged', async () => {
    const d1 = await createTestD1();
    const sqlite = createSQLiteAdapter(':memory:');
    const side = createD1Adapter(d1.binding);
    try {
      for (const db of [sqlite, side]) {
        await db.execute('CREATE TABLE rr_d1_plain (id INTEGER PRIMARY KEY, n INTEGER NOT NULL)');
        await db.execute('CREATE TABLE rr_d1_bumped (id INTEGER PRIMARY KEY, n INTEGER NOT NULL)');
      }
      await side.execute(
        'CREATE TRIGGER rr_d1_bump AFTER INSERT ON rr_d1_bumped BEGIN UPDATE rr_d1_bumped SET n = n + 1 WHERE id = NEW.id; END',
      );
      const log: string[] = [];
      const events: DualWriteEvent[] = [];
      const dual = createDualWriteAdapter(sqlite, loggingAdapter(side, log), { verifyWrites: true, onEvent: (e) => events.push(e) });
      await warm(dual, 'INSERT INTO rr_d1_plain (id, n) VALUES (?, ?)', [1, 1]);
      await warm(dual, 'INSERT INTO rr_d1_bumped (id, n) VALUES (?, ?)', [1, 1]);
      log.length = 0;
      await dual.execute('INSERT INTO rr_d1_plain (id, n) VALUES (?, ?)', [2, 1]);
      await dual.execute('INSERT INTO rr_d1_bumped (id, n) VALUES (?, ?)', [2, 41]);
      expect(upserts(log, 'rr_d1_plain')).toEqual([expect.stringMatching(/ RETURNING \*, /)]);
      expect(reads(log, 'rr_d1_plain')).toEqual([]);
      expect(reasons(events).at(-1)).toBe('rr_d1_bumped {"id":2}: row 0 column n: "41" != "42"');
      await dual.close();
    } finally {
      await d1.dispose();
    }
  });
});
