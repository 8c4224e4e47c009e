import { expect, it } from 'vitest';
import { createD1Adapter } from '@switchyard/d1';
import { createTestD1 } from '@switchyard/testkit/d1';
import { repair, validateDatabases } from '@switchyard/validation';
import { copyTables } from '../src/index';
import { createDualWriteAdapter } from './patient-dual-write';
import { usePostgresDatabase } from './fixtures';

// D1's API hands every number back as a double: an INTEGER past 2^53 (a Discord or Twitter
// snowflake id) arrived as the nearest one. A copy D1 -> Postgres wrote 9007199254740992 for
// 9007199254740993 without a word, and validation of the two called them equal.
const db = usePostgresDatabase();
const SNOWFLAKE = '1163570189412548619';

async function d1WithBigIntegers() {
  const d1 = await createTestD1();
  const adapter = createD1Adapter(d1.binding, { name: 'd1' });
  await adapter.execute('CREATE TABLE big (id INTEGER PRIMARY KEY, n INTEGER, r REAL, t TEXT)');
  // Written as SQL literals: D1 keeps them exactly, and only its reads round them.
  await adapter.execute(`INSERT INTO big VALUES (1, 9007199254740993, 1e300, 'x'), (2, 42, 1.5, '${SNOWFLAKE}')`);
  return { adapter, dispose: async () => (await adapter.close(), await d1.dispose()) };
}

it('D1 -> Postgres: a copy refuses an integer D1 rounded, naming the row and column; TEXT and REAL columns copy', async () => {
  const d1 = await d1WithBigIntegers();
  try {
    await db.adapter.execute('DROP TABLE IF EXISTS big; CREATE TABLE big (id bigint PRIMARY KEY, n bigint, r float8, t text)');
    await expect(copyTables(d1.adapter, db.adapter, { tables: ['big'], checkpoint: false })).rejects.toThrow(
      /Table "big", key \(1\), column "n": D1 returned 9007199254740992, an integer beyond 2\^53.*Store such values as TEXT on D1/,
    );
    await d1.adapter.execute('DELETE FROM big WHERE id = 1');
    await copyTables(d1.adapter, db.adapter, { tables: ['big'], checkpoint: false });
    expect(await db.adapter.query('SELECT id, n, t FROM big')).toEqual([{ id: 2, n: 42, t: SNOWFLAKE }]);
  } finally {
    await d1.dispose();
  }
});

it.each([
  ['merge', { validateAllRows: true }],
  ['sample', { sampleSize: 10 }],
] as const)('%s: validation never calls an integer D1 may have rounded equal, either direction', async (_, mode) => {
  const d1 = await d1WithBigIntegers();
  try {
    await db.adapter.execute('DROP TABLE IF EXISTS big; CREATE TABLE big (id bigint PRIMARY KEY, n bigint, r float8, t text)');
    // Postgres holds what D1's read gave (as a copy from it did): one less than what D1 holds.
    await db.adapter.execute(`INSERT INTO big VALUES (1, 9007199254740992, 1e300, 'x'), (2, 42, 1.5, '${SNOWFLAKE}')`);
    for (const [source, target] of [
      [d1.adapter, db.adapter],
      [db.adapter, d1.adapter],
    ] as const) {
      const report = await validateDatabases(source, target, { ...mode, tables: ['big'] });
      expect(report.ok).toBe(false);
      expect(report.tables[0]!.differentRows).toEqual([
        expect.objectContaining({ key: { id: 1 }, columns: [expect.objectContaining({ column: 'n' })] }),
      ]);
    }
  } finally {
    await d1.dispose();
  }
});

it('D1 primary -> Postgres: a write whose row D1 hands back rounded is journaled, not written as the other number', async () => {
  const d1 = await d1WithBigIntegers();
  try {
    await db.adapter.execute('DROP TABLE IF EXISTS big; CREATE TABLE big (id bigint PRIMARY KEY, n bigint, r float8, t text)');
    await db.adapter.execute(`INSERT INTO big VALUES (2, 42, 1.5, '${SNOWFLAKE}')`);
    const dual = createDualWriteAdapter(d1.adapter, db.adapter, { continueOnSecondaryFailure: true });
    await dual.execute(`UPDATE big SET n = n + 1 WHERE id = 2`);
    await dual.execute(`INSERT INTO big VALUES (3, 9007199254740995, 0, 'y')`);
    expect(dual.getMetrics()).toMatchObject({ secondaryFailures: 1, journalDepth: 1 });
    expect((await dual.journalEntries())[0]!.error).toMatch(/D1 returned 9007199254740996, an integer beyond 2\^53/);
    expect(await db.adapter.query('SELECT id, n FROM big ORDER BY id')).toEqual([{ id: 2, n: 43 }]);
    await dual.discardJournalEntry((await dual.journalEntries())[0]!.id);
  } finally {
    await d1.dispose();
  }
});

it('repair from D1 leaves a row whose integer D1 may have rounded unwritten, and says why', async () => {
  const d1 = await d1WithBigIntegers();
  try {
    await db.adapter.execute('DROP TABLE IF EXISTS big; CREATE TABLE big (id bigint PRIMARY KEY, n bigint, r float8, t text)');
    const report = await validateDatabases(d1.adapter, db.adapter, { validateAllRows: true, tables: ['big'] });
    const repaired = await repair(report, d1.adapter, db.adapter);
    expect(repaired).toMatchObject({ upserted: 1, stillDifferent: 1 });
    expect(repaired.tables[0]!.stillDifferent).toEqual([
      { key: { id: 1 }, reasons: [expect.stringMatching(/^n: not written: D1 returned 9007199254740992, an integer beyond 2\^53/)] },
    ]);
    expect(await db.adapter.query('SELECT id FROM big')).toEqual([{ id: 2 }]);
  } finally {
    await d1.dispose();
  }
});

it('a Postgres key past 2^53 is looked up on D1 by its text: the row is reported, and the validation does not fail', async () => {
  const d1 = await d1WithBigIntegers();
  try {
    await d1.adapter.execute(`INSERT INTO big VALUES (${SNOWFLAKE}, 1, 0, 'z')`);
    await db.adapter.execute('DROP TABLE IF EXISTS big; CREATE TABLE big (id bigint PRIMARY KEY, n bigint, r float8, t text)');
    await db.adapter.execute(`INSERT INTO big VALUES (${SNOWFLAKE}, 1, 0, 'z')`);
    const report = await validateDatabases(db.adapter, d1.adapter, { sampleSize: 10, tables: ['big'] });
    expect(report.tables[0]!.status).toBe('mismatch');
    // D1 hands the row back under its rounded key: the exact one is missing there, the rounded one extra.
    expect(report.tables[0]!.missingInTarget.map((k) => String(k.id))).toEqual([SNOWFLAKE]);
    expect(report.tables[0]!.extraInTarget).toContainEqual({ id: Number(SNOWFLAKE) });
  } finally {
    await d1.dispose();
  }
});
