import { afterAll, afterEach, describe, expect, it } from 'vitest';
import { createSQLiteAdapter } from '@switchyard/sqlite';
import type { TableInfo } from '@switchyard/core';
import { TableCatalog } from './table-catalog';

// Writes ask the catalog without waiting on their hot path; what they get while the tables
// are read again decides whether they follow the primary's foreign key actions.

const side = createSQLiteAdapter(':memory:', { name: 'side' });
afterEach(async () => {
  for (const t of ['b', 'a']) await side.execute(`DROP TABLE IF EXISTS ${t}`);
});
afterAll(() => side.close());

const names = (tables: readonly TableInfo[] | undefined) => tables?.map((t) => t.name).sort();

describe('TableCatalog', () => {
  it('answers from the last read while it reads the tables again after refresh()', async () => {
    const catalog = new TableCatalog();
    await side.execute('CREATE TABLE a (id INTEGER PRIMARY KEY)');
    expect(catalog.allNow(side)).toBeUndefined();
    expect((await catalog.table(side, 'a'))?.name).toBe('a');
    // Created behind the adapter's back: the replay's refresh() is what finds it.
    await side.execute('CREATE TABLE b (id INTEGER PRIMARY KEY, a_id INTEGER REFERENCES a (id) ON DELETE CASCADE)');
    catalog.refresh();
    expect(catalog.peek(side, 'a')?.name).toBe('a');
    expect(names(catalog.allNow(side))).toEqual(['a']);
    expect(catalog.derivedNow(side, (tables) => tables.length)).toBe(1);
    expect((await catalog.table(side, 'b'))?.foreignKeys).toHaveLength(1);
    expect(names(catalog.allNow(side))).toEqual(['a', 'b']);
    expect(catalog.derivedNow(side, (tables) => tables.length)).toBe(2);
  });

  it('answers nothing without waiting after invalidate(), which a schema change through the adapter calls', async () => {
    const catalog = new TableCatalog();
    await side.execute('CREATE TABLE a (id INTEGER PRIMARY KEY)');
    await catalog.table(side, 'a');
    catalog.invalidate();
    expect(catalog.peek(side, 'a')).toBeUndefined();
    expect(catalog.allNow(side)).toBeUndefined();
    expect((await catalog.table(side, 'a'))?.name).toBe('a');
  });
});
