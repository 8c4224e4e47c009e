import { afterEach, expect, it } from 'vitest';
import type { DatabaseAdapter } from '@switchyard/core';
import { validateDatabases } from '@switchyard/validation';
import { createDualWriteAdapter } from './patient-dual-write';
import { drainOutbox, outboxMirror } from '../src/mirror';
import { openSide, withD1Primary } from './open-side';
import { recreateTables, twoTestDatabases } from './two-databases';

// A D1 outbox entry names a key move's new keys by the rowids its rows keep. An INTEGER
// PRIMARY KEY is the rowid, which the move changes, and a WITHOUT ROWID table has none:
// those moves name no keys (asking for a rowid there would fail the app's write), and the
// drain still brings the rows that referenced the old keys on the secondary.

const dbs = twoTestDatabases();
const opened: DatabaseAdapter[] = [];
afterEach(async () => {
  for (const a of opened.splice(0)) await a.close();
});

const TABLES = ['num', 'num_ref', 'code_wr', 'code_ref'];
const tables = (sqlite: boolean) => [
  'CREATE TABLE num (id INTEGER PRIMARY KEY, v TEXT)',
  `CREATE TABLE num_ref (id INTEGER PRIMARY KEY, num_id INTEGER${sqlite ? ' REFERENCES num (id) ON UPDATE CASCADE' : ''})`,
  `CREATE TABLE code_wr (code TEXT PRIMARY KEY, n INTEGER)${sqlite ? ' WITHOUT ROWID' : ''}`,
  `CREATE TABLE code_ref (id INTEGER PRIMARY KEY, code TEXT${sqlite ? ' REFERENCES code_wr (code) ON UPDATE CASCADE' : ''})`,
];

it('D1 outbox -> Postgres without foreign keys: moves of a rowid key and of a WITHOUT ROWID key', async () => {
  await withD1Primary(async (primary) => {
    await recreateTables(primary, TABLES, tables(true));
    const secondary = await recreateTables(openSide(dbs, 'postgres', 'b', opened), TABLES, tables(false));
    const mirror = outboxMirror(primary);
    const dual = createDualWriteAdapter(primary, secondary, { secondaryWrites: 'async', mirror });
    await dual.execute("INSERT INTO num (id, v) VALUES (1, 'a'), (2, 'b'), (3, 'c')");
    await dual.execute('INSERT INTO num_ref (id, num_id) VALUES (10, 1), (11, 2), (12, 3)');
    await dual.execute("INSERT INTO code_wr (code, n) VALUES ('A', 1), ('B', 2)");
    await dual.execute("INSERT INTO code_ref (id, code) VALUES (20, 'A'), (21, 'B')");
    await dual.execute('UPDATE num SET id = id + 100 WHERE id <= ?', [2]);
    await dual.batch([
      { sql: 'UPDATE code_wr SET code = ? WHERE code = ?', params: ['Z', 'A'] },
      { sql: 'UPDATE code_wr SET n = n + 1 WHERE code = ?', params: ['B'] },
    ]);
    expect(await primary.query('SELECT id, code FROM code_ref ORDER BY id')).toEqual([
      { id: 20, code: 'Z' },
      { id: 21, code: 'B' },
    ]);
    expect(await drainOutbox(secondary, { mirror })).toMatchObject({ stale: 0 });
    expect(await secondary.query('SELECT id, num_id FROM num_ref ORDER BY id')).toEqual([
      { id: 10, num_id: 101 },
      { id: 11, num_id: 102 },
      { id: 12, num_id: 3 },
    ]);
    const report = await validateDatabases(primary, secondary, { tables: TABLES, validateAllRows: true });
    if (!report.ok) throw new Error(report.summary);
  });
});
