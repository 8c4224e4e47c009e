import { afterEach, describe, expect, it } from 'vitest';
import type { DatabaseAdapter } from '@switchyard/core';
import { repair, validateDatabases } from './index';
import { openEngine, type TestEngine } from '../test/engine-pairs';

// A Postgres table others inherit (INHERITS) shows their rows as its own when read without
// ONLY: `items` listed `special`'s rows too, a key both hold read as an ordering error, and
// a SQLite side without the inheritance read as missing rows. Each table is read with ONLY.

const opened: TestEngine[] = [];
afterEach(async () => {
  await Promise.all(opened.splice(0).map((e) => e.dispose()));
});

async function inheriting(side: DatabaseAdapter): Promise<void> {
  await side.execute('CREATE TABLE items (id int PRIMARY KEY, n int)');
  await side.execute('CREATE TABLE special (id int PRIMARY KEY, extra text) INHERITS (items)');
  await side.execute('INSERT INTO items (id, n) VALUES (1, 1), (3, 3)');
  // Key 3 in both: without ONLY, items read 3 twice.
  await side.execute("INSERT INTO special (id, n, extra) VALUES (3, 30, 'x'), (4, 40, 'y')");
}

describe('a Postgres table other tables inherit', () => {
  it('Postgres -> Postgres: each table holds its own rows; one value changed in an heir is flagged there only', async () => {
    const [s, t] = await Promise.all([openEngine('postgres'), openEngine('postgres')]);
    opened.push(s, t);
    for (const side of [s, t]) await inheriting(side.adapter);
    const tables = ['items', 'special'];
    for (const validateAllRows of [true, false]) {
      const report = await validateDatabases(s.adapter, t.adapter, { validateAllRows, tables });
      expect(report.ok).toBe(true);
      expect(report.tables.find((r) => r.table === 'items')).toMatchObject({ sourceCount: 2, targetCount: 2 });
    }
    await t.adapter.execute('UPDATE special SET n = 31 WHERE id = 3');
    const report = await validateDatabases(s.adapter, t.adapter, { validateAllRows: true, tables });
    expect(report.tables.map((r) => [r.table, r.status])).toEqual([
      ['items', 'ok'],
      ['special', 'mismatch'],
    ]);
    await repair(report, s.adapter, t.adapter);
    expect(await t.adapter.query('SELECT id, n FROM ONLY items ORDER BY id')).toEqual([
      { id: 1, n: 1 },
      { id: 3, n: 3 },
    ]);
    expect(await t.adapter.query('SELECT id, n FROM special ORDER BY id')).toEqual([
      { id: 3, n: 30 },
      { id: 4, n: 40 },
    ]);
  });

  it('Postgres -> SQLite: a target without the inheritance holds the same rows per table', async () => {
    const [s, t] = await Promise.all([openEngine('postgres'), openEngine('sqlite')]);
    opened.push(s, t);
    await inheriting(s.adapter);
    await t.adapter.execute('CREATE TABLE items (id INTEGER PRIMARY KEY, n INTEGER)');
    await t.adapter.execute('CREATE TABLE special (id INTEGER PRIMARY KEY, n INTEGER, extra TEXT)');
    await t.adapter.execute('INSERT INTO items (id, n) VALUES (1, 1), (3, 3)');
    await t.adapter.execute("INSERT INTO special (id, n, extra) VALUES (3, 30, 'x'), (4, 40, 'y')");
    const report = await validateDatabases(s.adapter, t.adapter, { validateAllRows: true, tables: ['items', 'special'] });
    expect(report.ok).toBe(true);
  });
});
