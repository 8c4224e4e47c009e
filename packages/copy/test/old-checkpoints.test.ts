import { afterEach, describe, expect, it } from 'vitest';
import { createSQLiteAdapter, type SQLiteAdapter } from '@switchyard/sqlite';
import { copyTables } from '../src/index';
import { assertTablesEqual, countRows } from './fixtures';

const BIG = 2n ** 60n;

describe('checkpoints stored by an earlier release', () => {
  const open: SQLiteAdapter[] = [];
  afterEach(async () => {
    for (const a of open.splice(0)) await a.close();
  });

  it('resumes a copy whose checkpoint keys are in the format before stored values', async () => {
    const source = createSQLiteAdapter(':memory:');
    const target = createSQLiteAdapter(':memory:');
    open.push(source, target);
    for (const db of [source, target]) await db.execute('CREATE TABLE big (id INTEGER PRIMARY KEY, tag BLOB NOT NULL)');
    const insert = source.database.prepare('INSERT INTO big VALUES (?, ?)');
    source.database.exec('BEGIN');
    for (let i = 0n; i < 2000n; i++) insert.run(BIG + i, Buffer.from([Number(i % 256n)]));
    source.database.exec('COMMIT');

    const controller = new AbortController();
    const first = await copyTables(source, target, {
      batchSize: 100,
      signal: controller.signal,
      onProgress: (p) => p.rowsCopied >= 500 && controller.abort(),
    });
    expect(first.aborted).toBe(true);
    const copiedBefore = await countRows(target, 'big');
    const stored = await target.query<{ last_key: string }>('SELECT last_key FROM _switchyard_checkpoints WHERE last_key IS NOT NULL');
    expect(stored[0]!.last_key).toMatch(/^\[\{"\$int":"\d+"\}\]$/);

    // Write the keys back as an earlier release stored them.
    await target.execute(`UPDATE _switchyard_checkpoints SET last_key = replace(last_key, '"$int"', '"$bigint"')`);
    const second = await copyTables(source, target, { batchSize: 100 });
    expect(second.aborted).toBe(false);
    expect(second.summary.rowsCopied).toBe(2000 - copiedBefore);
    expect(await assertTablesEqual(source, target, 'big')).toBe(2000);
  });
});
