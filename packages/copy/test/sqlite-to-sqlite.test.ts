import { afterEach, describe, expect, it } from 'vitest';
import { createSQLiteAdapter, type SQLiteAdapter } from '@switchyard/sqlite';
import { copyTables } from '../src/index';
import { ITEMS_SQLITE, assertTablesEqual, countRows, seedSqliteItems } from './fixtures';

describe('copyTables SQLite -> SQLite', () => {
  const open: SQLiteAdapter[] = [];
  const pair = async () => {
    const source = createSQLiteAdapter(':memory:');
    const target = createSQLiteAdapter(':memory:');
    open.push(source, target);
    await source.execute(ITEMS_SQLITE);
    await target.execute(ITEMS_SQLITE);
    return { source, target };
  };
  afterEach(async () => {
    for (const a of open.splice(0)) await a.close();
  });

  it('copies 100k rows, equal afterwards', async () => {
    const { source, target } = await pair();
    seedSqliteItems(source, 100_000);
    const result = await copyTables(source, target);
    expect(result.summary.rowsCopied).toBe(100_000);
    expect(result.tables[0]!.status).toBe('done');
    expect(await assertTablesEqual(source, target, 'items')).toBe(100_000);
  });

  it('stops at a batch boundary on abort and resumes with every row exactly once', async () => {
    const { source, target } = await pair();
    seedSqliteItems(source, 20_000);
    const controller = new AbortController();
    const first = await copyTables(source, target, {
      batchSize: 1000,
      signal: controller.signal,
      onProgress: (p) => p.rowsCopied >= 5000 && controller.abort(),
    });
    expect(first.aborted).toBe(true);
    expect(first.tables[0]!.status).toBe('aborted');
    const copied = await countRows(target, 'items');
    expect(copied).toBe(5000);
    const second = await copyTables(source, target, { batchSize: 1000 });
    expect(second.aborted).toBe(false);
    expect(second.summary.rowsCopied).toBe(15_000);
    expect(await assertTablesEqual(source, target, 'items')).toBe(20_000);
  });
});

describe('copyTables options (SQLite -> SQLite)', () => {
  const schema = [
    'CREATE TABLE authors (id INTEGER PRIMARY KEY, name TEXT NOT NULL)',
    'CREATE TABLE posts (id INTEGER PRIMARY KEY, author_id INTEGER NOT NULL REFERENCES authors(id), title TEXT)',
    'CREATE TABLE tags (post_id INTEGER NOT NULL, tag TEXT NOT NULL, weight REAL, PRIMARY KEY (post_id, tag))',
  ];
  const setup = async (targetSchema = schema) => {
    const source = createSQLiteAdapter(':memory:');
    const target = createSQLiteAdapter(':memory:');
    for (const sql of schema) await source.execute(sql);
    for (const sql of targetSchema) await target.execute(sql);
    await target.execute('PRAGMA foreign_keys = ON');
    const db = source.database;
    db.exec('BEGIN');
    for (let i = 1; i <= 300; i++) {
      db.prepare('INSERT INTO authors VALUES (?, ?)').run(i, `author ${i}`);
      db.prepare('INSERT INTO posts VALUES (?, ?, ?)').run(i, i, `post ${i}`);
      for (const tag of ['a', 'b', 'c']) db.prepare('INSERT INTO tags VALUES (?, ?, ?)').run(i, tag, i / 10);
    }
    db.exec('COMMIT');
    return { source, target };
  };

  it('copies parents before children, composite keys by keyset, and plans without writing on dryRun', async () => {
    const { source, target } = await setup();
    const planned = await copyTables(source, target, { dryRun: true, ranges: 3 });
    expect(planned.tables.map((t) => [t.table, t.status, t.totalRows, t.ranges])).toEqual([
      ['authors', 'planned', 300, 3],
      ['tags', 'planned', 900, 3],
      ['posts', 'planned', 300, 3],
    ]);
    expect((await target.query("SELECT name FROM sqlite_master WHERE name = '_switchyard_checkpoints'")).length).toBe(0);
    const result = await copyTables(source, target, { tables: ['posts', 'tags', 'authors'], batchSize: 64, concurrency: 3 });
    expect(result.tables.map((t) => t.table)).toEqual(['authors', 'tags', 'posts']);
    for (const table of ['authors', 'posts']) expect(await assertTablesEqual(source, target, table)).toBe(300);
    expect(await countRows(target, 'tags')).toBe(900);
    const pairs = await target.query('SELECT post_id, tag FROM tags ORDER BY post_id, tag');
    expect(pairs.slice(0, 4)).toEqual([
      { post_id: 1, tag: 'a' },
      { post_id: 1, tag: 'b' },
      { post_id: 1, tag: 'c' },
      { post_id: 2, tag: 'a' },
    ]);
    await source.close();
    await target.close();
  });

  it('applies transform, and reports progress with rows/s and ETA', async () => {
    const { source, target } = await setup();
    const progress: number[] = [];
    const result = await copyTables(source, target, {
      tables: ['authors'],
      batchSize: 100,
      transform: (row) => (Number(row.id) % 2 === 0 ? null : { ...row, name: String(row.name).toUpperCase() }),
      onProgress: (p) => {
        expect(p.rowsPerSecond).toBeGreaterThan(0);
        expect(p.totalRows).toBe(300);
        progress.push(p.rowsCopied);
      },
    });
    expect(progress).toEqual([100, 200, 300]);
    expect(result.tables[0]).toMatchObject({ rowsCopied: 300, rowsWritten: 150, rowsSkipped: 150 });
    expect(await target.first('SELECT name FROM authors WHERE id = 3')).toEqual({ name: 'AUTHOR 3' });
    await source.close();
    await target.close();
  });

  it('records a batch that keeps failing with its error and key range; continueOnError copies the rest', async () => {
    const strict = schema.map((s) => s.replace('title TEXT', "title TEXT CHECK (title <> 'post 150')"));
    const { source, target } = await setup(strict);
    const failing = copyTables(source, target, { batchSize: 100, retries: 1, retryDelayMs: 1 });
    await expect(failing).rejects.toMatchObject({ name: 'CopyFailedError', table: 'posts', code: 'QUERY_FAILED' });
    await expect(failing).rejects.toThrow(/key range.*CHECK constraint failed.*run copyTables again/s);
    const [failed] = await target.query<Record<string, unknown>>("SELECT * FROM _switchyard_checkpoints WHERE table_name = 'posts'");
    expect(failed).toMatchObject({ status: 'failed', last_key: '[100]', range_start: null, range_end: null });
    expect(String(failed!.error)).toMatch(/CHECK constraint failed/);

    const { source: s2, target: t2 } = await setup(strict);
    const result = await copyTables(s2, t2, { batchSize: 100, continueOnError: true, retries: 0 });
    expect(result.tables.map((t) => [t.table, t.status])).toEqual([
      ['authors', 'done'],
      ['tags', 'done'],
      ['posts', 'failed'],
    ]);
    expect(result.summary.tablesFailed).toBe(1);
    expect(await countRows(t2, 'tags')).toBe(900);
    for (const a of [source, target, s2, t2]) await a.close();
  });

  it('starts over with resume: false, and refuses tables it cannot copy with a message that says why', async () => {
    const { source, target } = await setup();
    await copyTables(source, target, { tables: ['authors'] });
    const again = await copyTables(source, target, { tables: ['authors'] });
    expect(again.tables[0]!.rowsCopied).toBe(0);
    const restart = await copyTables(source, target, { tables: ['authors'], resume: false });
    expect(restart.tables[0]).toMatchObject({ rowsCopied: 300, rowsWritten: 0, rowsSkipped: 300 });
    await source.execute('CREATE TABLE nokey (a TEXT)');
    await target.execute('CREATE TABLE nokey (a TEXT)');
    await expect(copyTables(source, target, { tables: ['nokey'] })).rejects.toThrow(/no primary key/);
    await expect(copyTables(source, target, { tables: ['missing'] })).rejects.toThrow(/not in the source/);
    await source.execute('CREATE TABLE only_source (id INTEGER PRIMARY KEY)');
    await expect(copyTables(source, target, { tables: ['only_source'] })).rejects.toThrow(/does not exist in the target.*translateSchema/);
    await expect(copyTables(source, target, { batchSize: 0 })).rejects.toThrow(/batchSize must be a number >= 1/);
    await source.close();
    await target.close();
  });
});

describe('copyTables and generated columns', () => {
  const GENERATED = 'CREATE TABLE g (id INTEGER PRIMARY KEY, a INTEGER, twice INTEGER GENERATED ALWAYS AS (a * 2) STORED)';

  it('leaves a generated target column to the target, and copies a generated source column into a plain one', async () => {
    const source = createSQLiteAdapter(':memory:');
    const generatedTarget = createSQLiteAdapter(':memory:');
    const plainTarget = createSQLiteAdapter(':memory:');
    try {
      await source.execute(GENERATED);
      await generatedTarget.execute(GENERATED);
      await plainTarget.execute('CREATE TABLE g (id INTEGER PRIMARY KEY, a INTEGER, twice INTEGER)');
      await source.execute('INSERT INTO g (id, a) VALUES (1, 2), (2, 5)');
      for (const target of [generatedTarget, plainTarget]) {
        expect((await copyTables(source, target)).summary.rowsCopied).toBe(2);
        expect(await target.query('SELECT id, a, twice FROM g ORDER BY id')).toEqual([
          { id: 1, a: 2, twice: 4 },
          { id: 2, a: 5, twice: 10 },
        ]);
      }
    } finally {
      for (const a of [source, generatedTarget, plainTarget]) await a.close();
    }
  });
});
