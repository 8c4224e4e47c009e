import { expect, it } from 'vitest';
import type { DatabaseAdapter } from '@switchyard/core';
import { createSQLiteAdapter } from '@switchyard/sqlite';
import { validateDatabases } from '@switchyard/validation';
import { createDualWriteAdapter } from './patient-dual-write';
import { cleanupAfterEach, primaryAndFreshPostgres, withD1Primary } from './open-side';

const cleanup = cleanupAfterEach();

// SQLite keeps text in a BLOB column as text, and 'abc' = X'616263' is false. The row images
// wrote such text to the secondary as the blob of its bytes: a query for the text found the
// row on the primary only, and verifyWrites, comparing bytes, counted nothing.
const CLASSES = 'SELECT k, typeof(b) AS b FROM kv ORDER BY k';

async function replicated(primary: DatabaseAdapter, secondary: DatabaseAdapter) {
  for (const side of [primary, secondary]) await side.execute('CREATE TABLE kv (k INTEGER PRIMARY KEY, b BLOB)');
  const app = createDualWriteAdapter(primary, secondary, { verifyWrites: true });
  await app.execute("INSERT INTO kv VALUES (1, 'text'), (2, X'01'), (3, X'616263')");
  await app.execute("UPDATE kv SET b = 'abc' WHERE k = 2");
  expect(app.getMetrics()).toMatchObject({ secondaryFailures: 0, verificationFailures: 0 });
  expect(await secondary.query(CLASSES)).toEqual(await primary.query(CLASSES));
  expect(await secondary.query("SELECT k FROM kv WHERE b = 'abc'")).toEqual([{ k: 2 }]);
  expect((await validateDatabases(primary, secondary, { validateAllRows: true, tables: ['kv'] })).ok).toBe(true);
  // Closes both sides.
  await app.close();
}

it('SQLite -> D1 and D1 -> SQLite: text in a BLOB column reaches the secondary as text', async () => {
  for (const direction of ['to-d1', 'from-d1'] as const) {
    await withD1Primary(async (d1) => {
      const sqlite = createSQLiteAdapter(':memory:');
      await (direction === 'to-d1' ? replicated(sqlite, d1) : replicated(d1, sqlite));
    });
  }
});

it('SQLite -> D1: verifyWrites counts a value the secondary holds in another storage class', async () => {
  await withD1Primary(async (d1) => {
    const sqlite = createSQLiteAdapter(':memory:');
    // The secondary's column has INTEGER affinity: it turns the text '1' into the integer 1.
    await sqlite.execute('CREATE TABLE kv (k INTEGER PRIMARY KEY, v)');
    await d1.execute('CREATE TABLE kv (k INTEGER PRIMARY KEY, v INTEGER)');
    const app = createDualWriteAdapter(sqlite, d1, { verifyWrites: true });
    const reasons: string[] = [];
    app.on('verification-failed', (event) => void reasons.push(event.reason));
    await app.execute("INSERT INTO kv VALUES (1, 'one'), (2, 2)");
    expect(app.getMetrics().verificationFailures).toBe(0);
    await app.execute("INSERT INTO kv VALUES (3, '3')");
    expect(app.getMetrics().verificationFailures).toBe(1);
    expect(reasons.join()).toMatch(/column v: text != number/);
    await app.close();
  });
});

it('SQLite and D1 -> Postgres: a blob in a column without a type is its UTF-8 text there; other bytes are refused and journaled, not decoded with U+FFFD', async () => {
  for (const kind of ['sqlite', 'd1'] as const) {
    const { primary, secondary } = await primaryAndFreshPostgres(kind, cleanup);
    await primary.execute('CREATE TABLE kv (k INTEGER PRIMARY KEY, v)');
    await secondary.execute('CREATE TABLE kv (k bigint PRIMARY KEY, v text)');
    const app = createDualWriteAdapter(primary, secondary, { verifyWrites: true, continueOnSecondaryFailure: true });
    await app.execute("INSERT INTO kv VALUES (1, X'6869'), (2, 'two')");
    await app.execute("INSERT INTO kv VALUES (3, X'41FF')");
    expect(await secondary.query('SELECT k, v FROM kv ORDER BY k')).toEqual([
      { k: 1, v: 'hi' },
      { k: 2, v: 'two' },
    ]);
    const metrics = app.getMetrics();
    expect(metrics.secondaryFailures).toBe(1);
    expect(metrics.journalDepth).toBe(1);
    expect((await app.journalEntries()).map((e) => e.error)).toEqual([
      expect.stringMatching(/blob \(X'41ff'\) whose bytes are not UTF-8 text/),
    ]);
    // Fixed on the primary through the app, the row settles and the journal empties.
    await app.execute("UPDATE kv SET v = 'A' WHERE k = 3");
    await app.replayJournal();
    expect(app.getMetrics().journalDepth).toBe(0);
    expect((await validateDatabases(primary, secondary, { validateAllRows: true, tables: ['kv'] })).ok).toBe(true);
  }
});
