import { expect, it } from 'vitest';
import { createSQLiteAdapter } from '@switchyard/sqlite';
import { createReconciler } from '../src/_internal/batch-reconcile';
import { prepareTableJob } from '../src/_internal/table-job';
import { resolveCopyOptions } from '../src/_internal/resolved-copy-options';
import type { DatabaseAdapter } from '@switchyard/core';
import { usePostgresDatabase } from './fixtures';

// A Postgres character(n) key reads back padded ('ab   ') where SQLite holds 'ab'. The resync
// of a batch whose run died before its reconcile took every short key on a Postgres target for
// one the SQLite source no longer had and deleted the row; the other way, a row deleted on a
// Postgres source during the batch was deleted on SQLite by its padded key, which matched nothing.
const postgres = usePostgresDatabase();
const KEYS = ['a', 'ab', 'abcde', 'b c'];

async function jobFor(source: DatabaseAdapter, target: DatabaseAdapter) {
  const table = (await source.introspect()).find((t) => t.name === 'codes')!;
  const job = await prepareTableJob(source, target, table, await target.introspect(), resolveCopyOptions({}));
  return { job, ...createReconciler(source, target, job) };
}
const codes = async (db: DatabaseAdapter) =>
  (await db.query<{ code: string }>('SELECT code FROM codes ORDER BY code')).map((r) => r.code.trimEnd());

it('SQLite -> Postgres character(5) key: the resync of a batch keeps every row the source has', async () => {
  const sqlite = createSQLiteAdapter(':memory:');
  try {
    await sqlite.execute('CREATE TABLE codes (code CHAR(5) PRIMARY KEY, n INTEGER)');
    for (const [n, code] of KEYS.entries()) await sqlite.execute('INSERT INTO codes VALUES (?, ?)', [code, n]);
    await postgres.adapter.execute('DROP TABLE IF EXISTS codes; CREATE TABLE codes (code character(5) PRIMARY KEY, n int)');
    const { job, resync } = await jobFor(sqlite, postgres.adapter);
    const batch = await job.readBatch(null, null);
    await job.writer.write(batch.payload, undefined);
    // The run died here: the resume reconciles the batch without knowing what it wrote.
    await sqlite.execute(`DELETE FROM codes WHERE code = 'b c'`);
    await resync(null, batch.lastKey!);
    expect(await codes(postgres.adapter)).toEqual(['a', 'ab', 'abcde']);
  } finally {
    await sqlite.close();
  }
});

it('Postgres character(5) key -> SQLite: a row deleted on the source during the batch is deleted on the target', async () => {
  const sqlite = createSQLiteAdapter(':memory:');
  try {
    await postgres.adapter.execute('DROP TABLE IF EXISTS codes; CREATE TABLE codes (code character(5) PRIMARY KEY, n int)');
    for (const [n, code] of KEYS.entries()) await postgres.adapter.execute('INSERT INTO codes VALUES (?, ?)', [code, n]);
    await sqlite.execute('CREATE TABLE codes (code CHAR(5) PRIMARY KEY, n INTEGER)');
    const { job, reconcile } = await jobFor(postgres.adapter, sqlite);
    const batch = await job.readBatch(null, null);
    await job.writer.write(batch.payload, undefined);
    await postgres.adapter.execute(`DELETE FROM codes WHERE code = 'ab'`);
    await reconcile(null, batch.lastKey!, batch);
    expect(await codes(sqlite)).toEqual(['a', 'abcde', 'b c']);
    expect(await sqlite.query(`SELECT code FROM codes WHERE code = 'a'`)).toEqual([{ code: 'a' }]);
  } finally {
    await sqlite.close();
  }
});

// A uuid key in capitals on SQLite reads back in lower case from Postgres: the resync deleted
// every such row, whose lower-case key the SQLite source does not find. It deletes nothing
// there now (a row the source lost meanwhile is left to validation and repair).
it('SQLite -> Postgres uuid key in capitals: the resync of a batch keeps every row', async () => {
  const sqlite = createSQLiteAdapter(':memory:');
  const ids = ['A0EEBC99-9C0B-4EF8-BB6D-6BB9BD380A11', 'B0EEBC99-9C0B-4EF8-BB6D-6BB9BD380A12'];
  try {
    await sqlite.execute('CREATE TABLE codes (code TEXT PRIMARY KEY, n INTEGER)');
    for (const [n, id] of ids.entries()) await sqlite.execute('INSERT INTO codes VALUES (?, ?)', [id, n]);
    await postgres.adapter.execute('DROP TABLE IF EXISTS codes; CREATE TABLE codes (code uuid PRIMARY KEY, n int)');
    const { job, resync } = await jobFor(sqlite, postgres.adapter);
    const batch = await job.readBatch(null, null);
    await job.writer.write(batch.payload, undefined);
    await resync(null, batch.lastKey!);
    expect(await codes(postgres.adapter)).toEqual(ids.map((id) => id.toLowerCase()));
  } finally {
    await sqlite.close();
  }
});
