import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createPostgresAdapter, type PostgresAdapter } from '@switchyard/postgres';
import { createSQLiteAdapter } from '@switchyard/sqlite';
import { createTestDatabase, type TestDatabase } from '@switchyard/testkit';
import { tableJournal, type DualWriteEvent } from '../src/index';
import { createDualWriteAdapter } from './patient-dual-write';
import { expectSameRows, loggingAdapter } from './equality-helpers';

let database: TestDatabase;
let admin: pg.Client;
let dir: string;
let pgSide: PostgresAdapter;

beforeAll(async () => {
  database = await createTestDatabase();
  admin = new pg.Client({ connectionString: process.env.POSTGRES_URL });
  await admin.connect();
  dir = mkdtempSync(join(tmpdir(), 'sy-dual-'));
  pgSide = createPostgresAdapter(database.url, { max: 4 });
});

afterAll(async () => {
  await pgSide.close();
  await admin.end();
  await database.drop();
  rmSync(dir, { recursive: true, force: true });
});

/** SQLite and Postgres DDL for one table; each side gets its own. */
async function createOn(sqlite: { execute(s: string): Promise<unknown> }, table: string, sqliteCols: string, pgCols: string) {
  await sqlite.execute(`CREATE TABLE ${table} (${sqliteCols})`);
  await pgSide.execute(`DROP TABLE IF EXISTS ${table}`);
  await pgSide.execute(`CREATE TABLE ${table} (${pgCols})`);
}

describe('dual-write SQLite -> Postgres', () => {
  it('writes one Kysely builder query to both dialects, each compiled for its engine', async () => {
    const sqliteLog: string[] = [];
    const pgLog: string[] = [];
    const sqlite = createSQLiteAdapter(':memory:');
    const adapter = createDualWriteAdapter(loggingAdapter(sqlite, sqliteLog), loggingAdapter(pgSide, pgLog), { verifyWrites: true });
    await createOn(
      sqlite,
      'k_events',
      'id INTEGER PRIMARY KEY, active BOOLEAN NOT NULL, at TIMESTAMP NOT NULL, meta JSON',
      'id BIGINT PRIMARY KEY, active BOOLEAN NOT NULL, at TIMESTAMPTZ NOT NULL, meta JSONB',
    );
    const at = new Date('2024-05-06T07:08:09.123Z');
    const db = adapter.db as any;
    const returned = await db
      .insertInto('k_events')
      .values({ id: 1, active: true, at, meta: JSON.stringify({ b: 1, a: [1, 2] }) })
      .returning(['id', 'active', 'at'])
      .executeTakeFirst();
    expect(returned).toEqual({ id: 1, active: 1, at: at.toISOString() });
    await db.updateTable('k_events').set({ active: false }).where('id', '=', 1).execute();

    // The primary runs the app's query with the whole row captured; the secondary gets that row by key.
    expect(sqliteLog.find((q) => q.startsWith('insert'))).toMatch(
      /^insert into "k_events" \("id", "active", "at", "meta"\) values \(\?, \?, \?, \?\) returning "id", "active", "at", "id" AS "__sy_0"/,
    );
    expect(sqliteLog.find((q) => q.startsWith('update'))).toBe('update "k_events" set "active" = ? where "id" = ?\nRETURNING *');
    expect(pgLog.find((q) => q.startsWith('INSERT INTO "k_events"'))).toMatch(
      /^INSERT INTO "k_events" \("id", "active", "at", "meta"\) OVERRIDING SYSTEM VALUE VALUES \(\?, \?, \?, \?\) ON CONFLICT \("id"\) DO UPDATE/,
    );

    expect(await sqlite.query('SELECT active, at FROM k_events')).toEqual([{ active: 0, at: at.toISOString() }]);
    expect(await pgSide.query('SELECT active, at, meta FROM k_events')).toEqual([{ active: false, at, meta: { a: [1, 2], b: 1 } }]);
    expect(await expectSameRows(sqlite, pgSide, 'k_events')).toBe(1);
    // Booleans, timestamps and JSON compare equal by logical type: no false verification failure.
    expect(adapter.getMetrics()).toMatchObject({ totalWrites: 2, successfulDualWrites: 2, verificationFailures: 0 });
    // A builder read goes to the primary only.
    expect(await db.selectFrom('k_events').select('id').execute()).toEqual([{ id: 1 }]);
    await sqlite.close();
  });

  it('refuses before writing anywhere text Postgres cannot store (a NUL character)', async () => {
    const sqlite = createSQLiteAdapter(':memory:');
    const adapter = createDualWriteAdapter(sqlite, pgSide);
    await createOn(sqlite, 't_nul', 'id INTEGER PRIMARY KEY, v TEXT', 'id BIGINT PRIMARY KEY, v TEXT');
    await expect(adapter.execute('INSERT INTO t_nul (id, v) VALUES (?, ?)', [1, 'a\u0000b'])).rejects.toMatchObject({
      name: 'ParameterError',
      dialect: 'postgres',
      position: 2,
    });
    expect(await sqlite.query('SELECT * FROM t_nul')).toEqual([]);
    expect(adapter.getMetrics()).toMatchObject({ secondaryFailures: 0, journalDepth: 0 });
    // SQLite alone stores it; the Postgres adapter alone refuses it before the round trip too.
    await sqlite.execute('INSERT INTO t_nul (id, v) VALUES (?, ?)', [1, 'a\u0000b']);
    expect(await sqlite.first('SELECT v FROM t_nul')).toEqual({ v: 'a\u0000b' });
    await expect(pgSide.execute('INSERT INTO t_nul (id, v) VALUES (?, ?)', [1, 'a\u0000b'])).rejects.toMatchObject({
      name: 'ParameterError',
    });
    await sqlite.close();
  });

  it('verifyWrites catches a Postgres trigger that alters a value, and keeps the write', async () => {
    const sqlite = createSQLiteAdapter(':memory:');
    const events: DualWriteEvent[] = [];
    const adapter = createDualWriteAdapter(sqlite, pgSide, { verifyWrites: true, onEvent: (e) => events.push(e) });
    await createOn(
      sqlite,
      'v_prices',
      'id INTEGER PRIMARY KEY, price NUMERIC, seen TIMESTAMP',
      'id BIGINT PRIMARY KEY, price NUMERIC, seen TIMESTAMPTZ',
    );
    await adapter.execute('INSERT INTO v_prices (id, price, seen) VALUES (?, ?, ?) RETURNING *', [1, '9.50', new Date(0)]);
    expect(adapter.getMetrics().verificationFailures).toBe(0);
    await pgSide.execute(
      `CREATE FUNCTION v_markup() RETURNS trigger AS $$ BEGIN NEW.price := NEW.price * 1.2; RETURN NEW; END $$ LANGUAGE plpgsql`,
    );
    await pgSide.execute('CREATE TRIGGER v_markup BEFORE INSERT ON v_prices FOR EACH ROW EXECUTE FUNCTION v_markup()');
    const rows = await adapter.query('INSERT INTO v_prices (id, price, seen) VALUES (?, ?, ?) RETURNING id, price', [2, '10', new Date(0)]);
    expect(rows).toEqual([{ id: 2, price: 10 }]);
    expect(adapter.getMetrics().verificationFailures).toBe(1);
    const failure = events.find((e): e is Extract<DualWriteEvent, { type: 'verification-failed' }> => e.type === 'verification-failed');
    expect(failure?.reason).toBe('v_prices {"id":2}: row 0 column price: "10" != "12"');
    await sqlite.close();
  });

  it('keeps writing while Postgres refuses connections, then replayJournal() restores equality', async () => {
    const sqlite = createSQLiteAdapter(':memory:');
    const secondary = createPostgresAdapter(database.url, { max: 2 });
    const adapter = createDualWriteAdapter(sqlite, secondary, { continueOnSecondaryFailure: true });
    await createOn(
      sqlite,
      'o_orders',
      'id INTEGER PRIMARY KEY, total INTEGER, note TEXT',
      'id BIGINT PRIMARY KEY, total BIGINT, note TEXT',
    );
    const write = (i: number) => adapter.execute('INSERT INTO o_orders (id, total, note) VALUES (?, ?, ?)', [i, i * 10, `order ${i}`]);
    for (let i = 1; i <= 10; i++) await write(i);

    // Postgres goes away: connections refused and the pool's open ones killed.
    await admin.query(`ALTER DATABASE ${database.name} ALLOW_CONNECTIONS false`);
    await admin.query('SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname = $1', [database.name]);
    for (let i = 11; i <= 30; i++) await write(i);
    await adapter.execute('UPDATE o_orders SET note = ? WHERE id <= ?', ['updated while down', 15]);
    await adapter.execute('DELETE FROM o_orders WHERE id = ?', [3]);
    expect(adapter.getMetrics()).toMatchObject({ totalWrites: 32, successfulDualWrites: 10, secondaryFailures: 22, journalDepth: 22 });
    expect(await adapter.replayJournal()).toMatchObject({ applied: 0, remaining: 22 });

    // It comes back: the journal brings it level, in order.
    await admin.query(`ALTER DATABASE ${database.name} ALLOW_CONNECTIONS true`);
    expect(await adapter.replayJournal()).toEqual({ applied: 22, remaining: 0 });
    expect(await expectSameRows(sqlite, secondary, 'o_orders')).toBe(29);
    await write(31);
    expect(adapter.getMetrics()).toMatchObject({ successfulDualWrites: 11, journalDepth: 0 });
    await adapter.close();
  });

  it('a table journal in the primary survives a new adapter instance', async () => {
    const file = join(dir, 'journal.db');
    const first = createSQLiteAdapter(file);
    const adapter = createDualWriteAdapter(first, pgSide, { journal: tableJournal(first), continueOnSecondaryFailure: true });
    await createOn(
      first,
      'j_items',
      'id INTEGER PRIMARY KEY, big BIGINT, at TIMESTAMP, data BLOB, flag BOOLEAN',
      'id BIGINT PRIMARY KEY, big BIGINT, at TIMESTAMPTZ, data BYTEA, flag BOOLEAN',
    );
    await pgSide.execute('ALTER TABLE j_items RENAME TO j_items_away');
    const params = [1, 2n ** 62n + 1n, new Date('2030-01-02T03:04:05.678Z'), new Uint8Array([0, 255, 7]), true];
    await adapter.execute('INSERT INTO j_items (id, big, at, data, flag) VALUES (?, ?, ?, ?, ?)', params);
    await adapter.batch([
      { sql: 'INSERT INTO j_items (id, big, flag) VALUES (?, ?, ?)', params: [2, -5, false] },
      { sql: 'UPDATE j_items SET flag = ? WHERE id = ?', params: [false, 1] },
    ]);
    expect(adapter.getMetadata()).toMatchObject({ journal: 'table:_switchyard_journal', journalDepth: 2 });
    // The journal table is the adapter's own business: introspect() leaves it out.
    expect((await adapter.introspect()).map((t) => t.name)).toEqual(['j_items']);
    await first.close();

    const reopened = createSQLiteAdapter(file);
    const restarted = createDualWriteAdapter(reopened, pgSide, { journal: tableJournal(reopened) });
    const entries = await restarted.journalEntries();
    // Entries name rows; replay reads them from the primary, so no value is kept twice.
    expect(entries.map((e) => e.rows)).toEqual([
      [{ table: 'j_items', key: { id: 1 } }],
      [
        { table: 'j_items', key: { id: 2 } },
        { table: 'j_items', key: { id: 1 } },
      ],
    ]);
    await pgSide.execute('ALTER TABLE j_items_away RENAME TO j_items');
    expect(await restarted.replayJournal()).toEqual({ applied: 2, remaining: 0 });
    expect(restarted.getMetrics().journalDepth).toBe(0);
    expect(await expectSameRows(reopened, pgSide, 'j_items')).toBe(2);
    expect(await pgSide.query('SELECT big, data FROM j_items WHERE id = 1')).toEqual([
      { big: 2n ** 62n + 1n, data: Buffer.from([0, 255, 7]) },
    ]);
    await reopened.close();
  });

  it('loses no write with 8 concurrent writers and switchPrimary() in the middle', async () => {
    const sqlite = createSQLiteAdapter(join(dir, 'concurrent.db'));
    const adapter = createDualWriteAdapter(sqlite, pgSide, { mode: 'primary-sqlite' });
    // Each engine numbers the rows itself: equal ids on both sides mean both applied the
    // writes in the same order.
    await createOn(
      sqlite,
      'c_log',
      'id INTEGER PRIMARY KEY AUTOINCREMENT, writer INTEGER, seq INTEGER',
      'id BIGSERIAL PRIMARY KEY, writer BIGINT, seq BIGINT',
    );
    await createOn(
      sqlite,
      'c_last',
      'id INTEGER PRIMARY KEY, writer INTEGER, seq INTEGER',
      'id BIGINT PRIMARY KEY, writer BIGINT, seq BIGINT',
    );
    await adapter.execute('INSERT INTO c_last (id, writer, seq) VALUES (1, 0, 0)');
    const writers = 8;
    const perWriter = 24;
    let done = 0;
    let switched: Promise<unknown> | undefined;
    const switches: string[] = [];
    const writer = async (w: number) => {
      for (let seq = 0; seq < perWriter; seq++) {
        if (seq % 2 === 0) {
          await adapter.execute('INSERT INTO c_log (writer, seq) VALUES (?, ?)', [w, seq]);
        } else {
          await adapter.batch([{ sql: 'INSERT INTO c_log (writer, seq) VALUES (?, ?)', params: [w, seq] }]);
        }
        // Last writer wins: equal on both sides only if both applied the same order.
        await adapter.execute('UPDATE c_last SET writer = ?, seq = ? WHERE id = 1', [w, seq]);
        if (++done === (writers * perWriter) / 2) {
          switched = adapter.switchPrimary().then((m) => switches.push(m.mode));
        }
      }
    };
    await Promise.all(Array.from({ length: writers }, (_, w) => writer(w + 1)));
    await switched;
    expect(switches).toEqual(['primary-postgres']);
    expect(adapter.getMetadata().primary).toBe('postgres');
    expect(adapter.getMetrics()).toMatchObject({ totalWrites: 1 + writers * perWriter * 2, secondaryFailures: 0 });
    expect(await expectSameRows(sqlite, pgSide, 'c_log')).toBe(writers * perWriter);
    expect(await expectSameRows(sqlite, pgSide, 'c_last')).toBe(1);
    // Reads now follow the new primary.
    await pgSide.execute('INSERT INTO c_log (id, writer, seq) VALUES (-1, 0, 0)');
    expect(await sqlite.first('SELECT count(*) AS n FROM c_log')).toEqual({ n: writers * perWriter });
    expect(await adapter.first('SELECT count(*) AS n FROM c_log')).toEqual({ n: writers * perWriter + 1 });
    await sqlite.close();
  });
});
