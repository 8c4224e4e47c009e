import { afterEach, describe, it } from 'vitest';
import { createPostgresAdapter } from '@switchyard/postgres';
import { createSQLiteAdapter } from '@switchyard/sqlite';
import { createTestDatabase, type TestDatabase } from '@switchyard/testkit';
import { proxiedPostgres, runChaos } from './chaos-run';

const cleanups: (() => Promise<unknown>)[] = [];
afterEach(async () => {
  for (const c of cleanups.splice(0).reverse()) await c().catch(() => {});
});

async function database(): Promise<TestDatabase> {
  const db = await createTestDatabase();
  cleanups.push(() => db.drop());
  return db;
}

describe('randomized dual write with faults: SQLite <-> Postgres', () => {
  it('SQLite -> Postgres: 16 writers, faults on Postgres, journal replayed: both sides equal the model', { timeout: 240_000 }, async () => {
    const db = await database();
    const primary = createSQLiteAdapter(':memory:');
    const { adapter: secondary, proxy } = await proxiedPostgres(db.url, 'postgres');
    const secondaryDirect = createPostgresAdapter(db.url, { max: 2 });
    cleanups.push(
      () => primary.close(),
      () => secondary.close(),
      () => proxy.close(),
      () => secondaryDirect.close(),
    );
    await runChaos({ primary, secondary, secondaryDirect, proxy, transactions: true });
  });

  it('Postgres -> SQLite: 16 writers on a pg pool, both sides equal the model', { timeout: 240_000 }, async () => {
    const db = await database();
    const primary = createPostgresAdapter(db.url, { max: 8 });
    const secondary = createSQLiteAdapter(':memory:');
    cleanups.push(
      () => primary.close(),
      () => secondary.close(),
    );
    await runChaos({ primary, secondary, transactions: true });
  });
});
