import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { DatabaseAdapter, Statement } from '@switchyard/core';
import { createD1Adapter } from '@switchyard/d1';
import { createPostgresAdapter, type PostgresAdapter } from '@switchyard/postgres';
import { createSQLiteAdapter } from '@switchyard/sqlite';
import { createTestD1, startD1RestServer, type TestD1, type TestD1RestServer } from '@switchyard/testkit/d1';
import { createTestDatabase, type TestDatabase } from '@switchyard/testkit/postgres-server';
import { copyTables, planBatch } from '../src/index';
import { ITEMS_POSTGRES, ITEMS_SQLITE, assertTablesEqual, countRows, seedSqliteItems } from './fixtures';

// Miniflare (workerd's D1) writes about a thousand rows a second on a busy two-core CI
// machine: the D1 paths copy thousands of rows rather than 100k to stay within seconds.
const D1_ROWS = 3000;

/** Records the bound-parameter count of every INSERT the copy sends through `batch()`. */
function recordInserts(adapter: DatabaseAdapter, counts: number[]): DatabaseAdapter {
  return new Proxy(adapter, {
    get(obj, prop, receiver) {
      if (prop === 'batch') {
        return (statements: Statement[]) => {
          for (const s of statements) if (s.sql.startsWith('INSERT INTO "items"')) counts.push(s.params?.length ?? 0);
          return obj.batch(statements);
        };
      }
      const value = Reflect.get(obj, prop, receiver);
      return typeof value === 'function' ? value.bind(obj) : value;
    },
  });
}

describe('copyTables with D1 (Miniflare)', () => {
  let d1: TestD1;
  let rest: TestD1RestServer;
  let database: TestDatabase;
  let pg: PostgresAdapter;
  beforeAll(async () => {
    d1 = await createTestD1();
    rest = await startD1RestServer();
    database = await createTestDatabase();
    pg = createPostgresAdapter(database.url);
  });
  afterAll(async () => {
    await pg?.close();
    await database?.drop();
    await rest?.close();
    await d1?.dispose();
  });

  it('plans D1 INSERTs at >= 95% of the 100-parameter limit', () => {
    const plan = planBatch({ maxBoundParameters: 100, maxStatementBytes: 100_000 }, 8);
    expect(plan).toMatchObject({ rowsPerStatement: 12, paramsPerStatement: 96 });
    expect(plan.parameterShare).toBeGreaterThanOrEqual(0.95);
    for (const columns of [2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 20, 33]) {
      expect(planBatch({ maxBoundParameters: 100 }, columns).paramsPerStatement).toBeLessThanOrEqual(100);
    }
  });

  it('copies SQLite -> D1 binding (3k rows: Miniflare writes about 1k rows/s), every INSERT using 96 of 100 parameters, equal afterwards', async () => {
    const source = createSQLiteAdapter(':memory:');
    await source.execute(ITEMS_SQLITE);
    seedSqliteItems(source, D1_ROWS);
    const target = createD1Adapter(d1.binding);
    await target.execute(ITEMS_SQLITE);
    const counts: number[] = [];
    const result = await copyTables(source, recordInserts(target, counts));
    expect(result.tables[0]).toMatchObject({ status: 'done', rowsCopied: D1_ROWS, rowsPerStatement: 12 });
    const full = counts.filter((n) => n === 96).length;
    // Every statement is full except the last of each batch that does not divide by 12.
    expect(full / counts.length).toBeGreaterThanOrEqual(0.95);
    expect(Math.max(...counts)).toBe(96);
    expect(await assertTablesEqual(source, target, 'items')).toBe(D1_ROWS);
    await source.close();
  });

  it('copies D1 binding -> Postgres (the same 3k rows), equal afterwards', async () => {
    const source = createD1Adapter(d1.binding);
    await pg.execute(ITEMS_POSTGRES);
    const result = await copyTables(source, pg, { tables: ['items'] });
    expect(result.tables[0]).toMatchObject({ status: 'done', rowsCopied: D1_ROWS });
    expect(await assertTablesEqual(source, pg, 'items')).toBe(D1_ROWS);
  });

  it('copies Postgres -> D1 REST (2k rows) through injected 429 and 503 answers, every row once, and back to SQLite', async () => {
    const seed = createSQLiteAdapter(':memory:');
    await seed.execute(ITEMS_SQLITE.replace('items', 'items_rest'));
    await seed.execute('ALTER TABLE items_rest RENAME TO items');
    seedSqliteItems(seed, 2000);
    await seed.execute('ALTER TABLE items RENAME TO items_rest');
    await pg.execute(ITEMS_POSTGRES.replace('items', 'items_rest'));
    await copyTables(seed, pg);
    await seed.close();

    const target = createD1Adapter({ ...rest, baseUrl: rest.url, maxAttempts: 1, rateLimit: false });
    await target.execute(ITEMS_SQLITE.replace('items', 'items_rest'));
    // The REST client is told not to retry: copyTables' own backoff must carry the copy through.
    rest.failNext(2, { status: 429, retryAfter: '0' });
    let failed = false;
    const result = await copyTables(pg, target, {
      tables: ['items_rest'],
      retryDelayMs: 10,
      onProgress: () => {
        if (!failed) {
          failed = true;
          rest.failNext(1, { status: 503 });
        }
      },
    });
    expect(result.tables[0]).toMatchObject({ status: 'done', rowsCopied: 2000 });
    expect(await countRows(target, 'items_rest')).toBe(2000);
    expect(await assertTablesEqual(pg, target, 'items_rest')).toBe(2000);

    // D1 REST -> SQLite: the same rows back.
    const back = createSQLiteAdapter(':memory:');
    await back.execute(ITEMS_SQLITE.replace('items', 'items_rest'));
    const again = await copyTables(target, back, { tables: ['items_rest'] });
    expect(again.tables[0]!.rowsCopied).toBe(2000);
    expect(await assertTablesEqual(pg, back, 'items_rest')).toBe(2000);
    await back.close();
    await target.close();
  });
});
