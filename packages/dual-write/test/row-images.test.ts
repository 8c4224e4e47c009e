import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createPostgresAdapter, type PostgresAdapter } from '@switchyard/postgres';
import { createSQLiteAdapter } from '@switchyard/sqlite';
import { createTestDatabase, startFaultProxy, type TestDatabase } from '@switchyard/testkit';
import { validateDatabases } from '@switchyard/validation';
import { createDualWriteAdapter } from './patient-dual-write';

let a: TestDatabase;
let b: TestDatabase;
const open: { close(): Promise<void> }[] = [];

beforeAll(async () => {
  [a, b] = await Promise.all([createTestDatabase(), createTestDatabase()]);
});

afterAll(async () => {
  await Promise.all(open.map((x) => x.close().catch(() => {})));
  await Promise.all([a.drop(), b.drop()]);
});

function pg(url: string, name: string): PostgresAdapter {
  const adapter = createPostgresAdapter(url, { name, max: 4 });
  open.push(adapter);
  return adapter;
}

describe('row images: the secondary holds what the primary produced', () => {
  it('keeps generated ids, uuids, now() and random() equal on Postgres -> Postgres', async () => {
    const left = pg(a.url, 'left');
    const right = pg(b.url, 'right');
    const ddl =
      'CREATE TABLE gen (id bigserial PRIMARY KEY, tok uuid NOT NULL DEFAULT gen_random_uuid(), ' +
      'at timestamptz NOT NULL DEFAULT now(), r double precision NOT NULL DEFAULT random(), n int NOT NULL DEFAULT 0)';
    await left.execute(ddl);
    await right.execute(ddl);
    const dual = createDualWriteAdapter(left, right, { verifyWrites: true });
    for (let i = 0; i < 20; i++) await dual.execute('INSERT INTO gen DEFAULT VALUES');
    // A rolled-back insert takes a sequence value on the primary only.
    await dual
      .transaction(async (tx) => {
        await tx.execute('INSERT INTO gen DEFAULT VALUES');
        throw new Error('roll back');
      })
      .catch(() => {});
    const { lastInsertId } = await dual.execute('INSERT INTO gen (n) VALUES (?)', [7]);
    expect(lastInsertId).toBe(22);
    await dual.execute('UPDATE gen SET n = n + 1, at = now() WHERE id = ?', [2]);
    await dual.execute('UPDATE gen SET r = random() WHERE n = 0 AND id > ?', [15]);
    // Its own RETURNING through an alias that Postgres folds to lower case: the capture names it the same way.
    expect((await dual.execute('UPDATE gen AS G SET r = random() WHERE G.id = ? RETURNING G.n', [4])).rows).toEqual([{ n: 0 }]);
    await dual.execute('DELETE FROM gen WHERE id = ?', [3]);
    const report = await validateDatabases(left, right, { validateAllRows: true, tables: ['gen'] });
    expect(report.ok).toBe(true);
    expect(dual.getMetrics()).toMatchObject({ verificationFailures: 0, secondaryFailures: 0, replicatedByStatement: 0 });

    // After the switch the new primary's sequence is past every id the old one handed out.
    await dual.switchPrimary();
    const next = await dual.execute('INSERT INTO gen DEFAULT VALUES');
    expect(next.lastInsertId).toBe(23);
    expect((await validateDatabases(left, right, { validateAllRows: true, tables: ['gen'] })).ok).toBe(true);
  });

  it('captures writes after a WITH list of reads as rows, and a WITH list that writes; a key move after the list is replayed as written', async () => {
    const ddl = (id: string, tok: string) => [
      `CREATE TABLE cte_src (k int PRIMARY KEY, n int)`,
      `CREATE TABLE cte_gen (id ${id} PRIMARY KEY, n int, tok ${tok})`,
    ];
    const sqlite = createSQLiteAdapter(':memory:');
    const pairs = [
      [pg(a.url, 'cte-left'), pg(b.url, 'cte-right')],
      [sqlite, pg(b.url, 'cte-pg')],
    ] as const;
    for (const [primary, secondary] of pairs) {
      for (const side of [primary, secondary]) {
        await side.execute('DROP TABLE IF EXISTS cte_src');
        await side.execute('DROP TABLE IF EXISTS cte_gen');
      }
      const ids =
        primary.dialect === 'postgres'
          ? ['bigserial', 'text DEFAULT md5(random()::text)']
          : ['INTEGER', 'TEXT DEFAULT (hex(randomblob(8)))'];
      for (const sql of ddl(ids[0]!, ids[1]!)) await primary.execute(sql);
      // The secondary's own generators differ: a statement replayed there would make other values.
      for (const sql of ddl('bigint', "text DEFAULT 'theirs'")) await secondary.execute(sql);
      await primary.execute('INSERT INTO cte_src (k, n) VALUES (1, 10), (2, 20), (3, 30)');
      await secondary.execute('INSERT INTO cte_src (k, n) VALUES (1, 10), (2, 20), (3, 30)');
      const dual = createDualWriteAdapter(primary, secondary, { verifyWrites: true });
      const replays: string[] = [];
      dual.on('statement-replay', (e) => replays.push(e.sql));
      const inserted = await dual.execute(
        'WITH big AS (SELECT n FROM cte_src WHERE n > ?) INSERT INTO cte_gen (n) SELECT n FROM big',
        [15],
      );
      expect(inserted.rowsAffected).toBe(2);
      await dual.execute(
        'WITH one AS (SELECT k FROM cte_src WHERE n = ?) UPDATE cte_gen SET n = n + 1 WHERE n IN (SELECT k * 20 FROM one)',
        [10],
      );
      await dual.execute('WITH gone AS (SELECT CAST(? AS integer) AS n) DELETE FROM cte_gen WHERE n IN (SELECT n FROM gone)', [30]);
      expect(await primary.query('SELECT n FROM cte_gen')).toEqual([{ n: 21 }]);
      expect(replays).toEqual([]);
      expect(dual.getMetrics()).toMatchObject({
        replicatedByRow: 3,
        replicatedByStatement: 0,
        verificationFailures: 0,
        secondaryFailures: 0,
      });
      expect((await validateDatabases(primary, secondary, { validateAllRows: true, tables: ['cte_gen'] })).ok).toBe(true);
      // A key move after the list is replayed as written, as a key move's filter could not run apart from the list.
      await dual.execute('WITH m AS (SELECT 1000 AS d) UPDATE cte_gen SET id = id + (SELECT d FROM m) WHERE n = ?', [21]);
      expect(replays).toEqual([expect.stringMatching(/^WITH m AS/)]);
      expect((await validateDatabases(primary, secondary, { validateAllRows: true, tables: ['cte_gen'] })).ok).toBe(true);
      if (primary.dialect === 'postgres') {
        // Rows of two tables from one statement: each part's rows are named by key and captured.
        await dual.execute(
          'WITH moved AS (DELETE FROM cte_src WHERE k = ? RETURNING n) INSERT INTO cte_gen (id, n, tok) SELECT 100, n, ? FROM moved',
          [3, 'x'],
        );
        expect(replays).toHaveLength(1);
        expect(dual.getMetrics().replicatedByStatement).toBe(1);
        expect((await validateDatabases(primary, secondary, { validateAllRows: true, tables: ['cte_src', 'cte_gen'] })).ok).toBe(true);
      }
    }
    await sqlite.close();
  });

  it('SQLite reusing its highest INTEGER PRIMARY KEY and DEFAULT CURRENT_TIMESTAMP stay equal on Postgres', async () => {
    const sqlite = createSQLiteAdapter(':memory:');
    const right = pg(b.url, 'pg');
    await sqlite.execute("CREATE TABLE notes (id INTEGER PRIMARY KEY, body TEXT, at TEXT DEFAULT (strftime('%Y-%m-%dT%H:%M:%fZ','now')))");
    await right.execute('CREATE TABLE notes (id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY, body text, at timestamptz DEFAULT now())');
    const dual = createDualWriteAdapter(sqlite, right, { verifyWrites: true });
    await dual.execute('INSERT INTO notes (body) VALUES (?)', ['a']);
    await dual.execute('INSERT INTO notes (body) VALUES (?)', ['b']);
    await dual.execute('DELETE FROM notes WHERE id = ?', [2]);
    const { lastInsertId } = await dual.execute('INSERT INTO notes (body) VALUES (?)', ['c']);
    expect(lastInsertId).toBe(2);
    expect((await validateDatabases(sqlite, right, { validateAllRows: true, tables: ['notes'] })).ok).toBe(true);
    expect(dual.getMetrics().verificationFailures).toBe(0);
    await sqlite.close();
  });

  // A sequence the key's default draws from without owning it (written by hand, or shared by
  // several tables) was not moved by a switch back: the first id-less insert failed on a key
  // the SQLite primary had handed out meanwhile.
  it('a switch back to Postgres moves a sequence the key draws from without owning it', async () => {
    const left = pg(a.url, 'pg');
    const sqlite = createSQLiteAdapter(':memory:');
    await left.execute(`CREATE SEQUENCE order_no; CREATE TABLE orders (id bigint PRIMARY KEY DEFAULT nextval('order_no'), item text)`);
    await sqlite.execute('CREATE TABLE orders (id INTEGER PRIMARY KEY, item TEXT)');
    const dual = createDualWriteAdapter(left, sqlite, { verifyWrites: true });
    for (const item of ['a', 'b']) await dual.execute('INSERT INTO orders (item) VALUES (?)', [item]);
    await dual.switchPrimary();
    for (const item of ['c', 'd']) await dual.execute('INSERT INTO orders (item) VALUES (?)', [item]);
    await dual.switchPrimary();
    const { lastInsertId } = await dual.execute('INSERT INTO orders (item) VALUES (?)', ['e']);
    expect(lastInsertId).toBe(5);
    expect(await sqlite.query('SELECT id, item FROM orders WHERE id = 5')).toEqual([{ id: 5, item: 'e' }]);
    expect(dual.getMetrics()).toMatchObject({ secondaryFailures: 0, verificationFailures: 0 });
    await sqlite.close();
  });

  it('copies a parent the backfill has not reached before its child, instead of failing', async () => {
    const sqlite = createSQLiteAdapter(':memory:');
    const right = pg(b.url, 'pg');
    await sqlite.execute('CREATE TABLE parents (id INTEGER PRIMARY KEY, name TEXT)');
    await sqlite.execute('CREATE TABLE kids (id INTEGER PRIMARY KEY, parent_id INTEGER REFERENCES parents(id), name TEXT)');
    await right.execute('CREATE TABLE parents (id bigint PRIMARY KEY, name text)');
    await right.execute('CREATE TABLE kids (id bigint PRIMARY KEY, parent_id bigint REFERENCES parents(id), name text)');
    // Rows that existed before dual writes began: only the backfill would copy them.
    await sqlite.execute("INSERT INTO parents (id, name) VALUES (1, 'old parent')");
    const dual = createDualWriteAdapter(sqlite, right);
    await dual.execute('INSERT INTO kids (id, parent_id, name) VALUES (?, ?, ?)', [10, 1, 'kid']);
    expect(await right.query('SELECT id, name FROM parents')).toEqual([{ id: 1, name: 'old parent' }]);
    expect(dual.getMetrics()).toMatchObject({ parentRowsCopied: 1, secondaryFailures: 0 });
    await sqlite.close();
  });

  it('bounds what a hung secondary costs a write, journals, and settles after the reply was lost', async () => {
    const sqlite = createSQLiteAdapter(':memory:');
    const target = new URL(b.url);
    const proxy = await startFaultProxy({ target: { host: target.hostname, port: Number(target.port || 5432) } });
    open.push(proxy);
    const right = createPostgresAdapter(proxy.url(b.url), { name: 'pg', max: 4, queryTimeoutMs: 2_000 });
    open.push(right);
    await sqlite.execute('CREATE TABLE counters (id INTEGER PRIMARY KEY, n INTEGER NOT NULL)');
    await pg(b.url, 'admin').execute('CREATE TABLE counters (id bigint PRIMARY KEY, n bigint NOT NULL)');
    const dual = createDualWriteAdapter(sqlite, right, { continueOnSecondaryFailure: true, secondaryTimeoutMs: 300, probeIntervalMs: 100 });
    await dual.execute('INSERT INTO counters (id, n) VALUES (?, ?)', [1, 0]);

    // The server runs the statement, the reply never arrives: replay must not add twice.
    proxy.setMode('drop-replies');
    await dual.execute('UPDATE counters SET n = n + 1 WHERE id = ?', [1]);
    proxy.setMode('hang');
    for (let i = 0; i < 5; i++) await dual.execute('UPDATE counters SET n = n + 1 WHERE id = ?', [1]);
    // One write waits out the timeout; the open circuit journals the rest without waiting.
    expect(dual.getMetrics()).toMatchObject({ secondaryCircuit: 'open' });
    expect(dual.getMetrics().journalDepth).toBeGreaterThan(0);

    proxy.setMode('pass');
    proxy.killConnections();
    await expect.poll(async () => (await dual.replayJournal()).remaining, { timeout: 10_000, interval: 200 }).toBe(0);
    expect(await pg(b.url, 'check').query('SELECT n FROM counters')).toEqual([{ n: 6 }]);
    expect((await validateDatabases(sqlite, right, { validateAllRows: true, tables: ['counters'] })).ok).toBe(true);
    await sqlite.close();
  });
});
