import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { repair, validateDatabases } from './index';
import { openEngine, type TestEngine } from '../test/engine-pairs';

// One row the target could not take (a value it cannot bind, a value its column's type refuses,
// a CHECK) threw out of repair: every row after its batch went unrepaired, and the error named
// neither the row nor the column. Such a row is held back and reported now, as the copy names
// it, and the others are written.
let pg: TestEngine;
beforeAll(async () => {
  pg = await openEngine('postgres');
});
afterAll(() => pg?.dispose());

describe('repair from Postgres into SQLite and D1', () => {
  beforeAll(async () => {
    await pg.adapter.execute('CREATE TABLE events (id integer PRIMARY KEY, at timestamptz, score float8, note text)');
    // An infinite timestamp, one BC, NaN, and plain rows around them.
    await pg.adapter.execute(`INSERT INTO events VALUES
      (1, '2024-01-01 10:00:00.123456+00', 1.5, 'a'), (2, 'infinity', 2, 'b'), (3, '-infinity', 3, 'c'),
      (4, '0044-03-15 12:00:00+00 BC', 4, 'd'), (5, '2024-01-02 10:00:00+00', 'NaN', 'e'), (6, '2024-01-03 10:00:00+00', 6, 'f')`);
  });

  it.each(['sqlite', 'd1'] as const)(
    'into %s: values it cannot bind are held back by row and column, the rest written',
    async (dialect) => {
      const other = await openEngine(dialect);
      try {
        await other.adapter.execute('CREATE TABLE events (id INTEGER PRIMARY KEY, at DATETIME, score REAL, note TEXT)');
        const report = await validateDatabases(pg.adapter, other.adapter, { validateAllRows: true, tables: ['events'] });
        const repaired = await repair(report, pg.adapter, other.adapter, { statementsPerBatch: 1 });
        expect(repaired).toMatchObject({ upserted: 4, stillDifferent: 2 });
        expect(repaired.tables[0]!.stillDifferent).toEqual([
          { key: { id: 4 }, reasons: [expect.stringMatching(/^at: not written: the value is a Date in year -43, outside 0001-9999/)] },
          { key: { id: 5 }, reasons: [expect.stringMatching(/^score: not written: the value is NaN/)] },
        ]);
        // The infinities as the copy writes them: the words, which sort after and before every ISO text.
        expect(await other.adapter.query('SELECT id, at FROM events WHERE id IN (2, 3) ORDER BY id')).toEqual([
          { id: 2, at: 'infinity' },
          { id: 3, at: '-infinity' },
        ]);
        expect(await other.adapter.query('SELECT id FROM events ORDER BY at')).toEqual([{ id: 3 }, { id: 1 }, { id: 6 }, { id: 2 }]);
        const after = await validateDatabases(pg.adapter, other.adapter, { validateAllRows: true, tables: ['events'] });
        expect(after.tables[0]!.missingInTarget).toEqual([{ id: 4 }, { id: 5 }]);
        expect(after.tables[0]!.differentRowsCount).toBe(0);
      } finally {
        await other.dispose();
      }
    },
  );
});

describe('repair into Postgres', () => {
  it.each(['sqlite', 'd1'] as const)('from %s: rows the target refuses are held back with its words, the rest written', async (dialect) => {
    const other = await openEngine(dialect);
    const table = `refused_${dialect}`;
    try {
      await other.adapter.execute(`CREATE TABLE ${table} (id INTEGER PRIMARY KEY, on_sale BOOLEAN, day DATE, qty INTEGER, note TEXT)`);
      await pg.adapter.execute(
        `CREATE TABLE ${table} (id int PRIMARY KEY, on_sale boolean, day date, qty int CHECK (qty >= 0), note text)`,
      );
      const rows = [
        [1, 1, '2024-01-05', 1, 'a'],
        [2, 'maybe', '2024-01-05', 2, 'b'], // no boolean: held back before it is sent
        [3, 0, '2024-02-30', 3, 'c'], // no date
        [4, 1, '2024-01-06', -1, 'd'], // the CHECK refuses it
        [5, 0, '2024-01-07', 5, 'e\u0000'], // text Postgres cannot store
        [6, 1, '2024-01-08', 6, 'f'],
      ];
      for (const row of rows) await other.adapter.execute(`INSERT INTO ${table} VALUES (?, ?, ?, ?, ?)`, row);
      // Row 6 differs, and an extra row on Postgres another row refers to cannot be deleted.
      await pg.adapter.execute(
        `INSERT INTO ${table} VALUES (6, false, '2024-01-08', 6, 'f'), (7, true, '2024-01-09', 7, 'g'), (8, true, '2024-01-10', 8, 'h')`,
      );
      await pg.adapter.execute(`CREATE TABLE ${table}_refs (id int PRIMARY KEY, ref int REFERENCES ${table} (id))`);
      await pg.adapter.execute(`INSERT INTO ${table}_refs VALUES (1, 7)`);

      const report = await validateDatabases(other.adapter, pg.adapter, { validateAllRows: true, tables: [table] });
      const repaired = await repair(report, other.adapter, pg.adapter, { deleteExtra: true });
      expect(repaired).toMatchObject({ upserted: 2, deleted: 1, stillDifferent: 5 });
      expect(repaired.tables[0]).toMatchObject({ deleted: 1, extraKept: 1 });
      const reasons = Object.fromEntries(repaired.tables[0]!.stillDifferent.map((m) => [String(m.key.id), m.reasons.join(' | ')]));
      expect(reasons).toEqual({
        '2': expect.stringMatching(/^on_sale: not written: the value "maybe" in a boolean column is neither 1 nor 0/),
        '3': expect.stringMatching(/^not written: the target refused it: .*date\/time field value out of range: "2024-02-30"/),
        '4': expect.stringMatching(/^not written: the target refused it: .*check constraint/),
        '5': expect.stringMatching(/^note: not written: the value is text with a NUL character/),
        '7': expect.stringMatching(/^not deleted: the target refused it: .*foreign key/),
      });
      expect(await pg.adapter.query(`SELECT id, on_sale FROM ${table} ORDER BY id`)).toEqual([
        { id: 1, on_sale: true },
        { id: 6, on_sale: true },
        { id: 7, on_sale: true },
      ]);
    } finally {
      await other.dispose();
    }
  });
});
