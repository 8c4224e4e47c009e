import { describe, expect, it } from 'vitest';
import { createSQLiteAdapter } from '@switchyard/sqlite';
import { ColumnTypeCache } from '../src/_internal/column-types';
import { RowSettler } from '../src/_internal/row-settle';
import { TableCatalog } from '../src/_internal/table-catalog';

const within = <T>(ms: number, promise: Promise<T>): Promise<T> =>
  Promise.race([promise, new Promise<T>((_, reject) => setTimeout(() => reject(new Error(`still waiting after ${ms} ms`)), ms))]);

describe('settling rows under the primary row lock', () => {
  it('reads the table definitions through the lock transaction: a SQLite primary never waits for itself', async () => {
    const primary = createSQLiteAdapter(':memory:', { name: 'a' });
    const secondary = createSQLiteAdapter(':memory:', { name: 'b' });
    await primary.execute('CREATE TABLE parent (id INTEGER PRIMARY KEY)');
    await primary.execute('CREATE TABLE child (id INTEGER PRIMARY KEY, parent_id INTEGER REFERENCES parent (id), n INTEGER)');
    await secondary.execute('PRAGMA foreign_keys = ON');
    await secondary.execute('CREATE TABLE parent (id INTEGER PRIMARY KEY)');
    await secondary.execute('CREATE TABLE child (id INTEGER PRIMARY KEY, parent_id INTEGER REFERENCES parent (id), n INTEGER)');
    await primary.batch([{ sql: 'INSERT INTO parent (id) VALUES (1)' }, { sql: 'INSERT INTO child (id, parent_id, n) VALUES (1, 1, 7)' }]);
    // A catalog that has read nothing yet (as after a replay invalidated it), and a
    // secondary missing the parent, so the settle copies it: every definition and the
    // parent row are read while the lock transaction is open.
    const catalog = new TableCatalog();
    const settler = new RowSettler(catalog, new ColumnTypeCache(() => [primary, secondary], catalog));
    await within(3_000, settler.resync(primary, secondary, [{ table: 'child', key: { id: 1 } }], true));
    expect(await secondary.query('SELECT id, parent_id, n FROM child')).toEqual([{ id: 1, parent_id: 1, n: 7 }]);
    expect(await secondary.query('SELECT id FROM parent')).toEqual([{ id: 1 }]);
    await Promise.all([primary.close(), secondary.close()]);
  });
});
