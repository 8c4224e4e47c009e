import { describe, it } from 'vitest';
import { createPostgresAdapter } from '@switchyard/postgres';
import { createSQLiteAdapter } from '@switchyard/sqlite';
import { closing, proxiedSecondary, testDatabase } from './chaos-pairs';
import { runChaos } from './chaos-run';

describe('randomized dual write with faults: SQLite <-> Postgres', () => {
  it('SQLite -> Postgres: 16 writers, faults on Postgres, journal replayed: both sides equal the model', { timeout: 240_000 }, async () => {
    const db = await testDatabase();
    const primary = closing(createSQLiteAdapter(':memory:'));
    await runChaos({ primary, ...(await proxiedSecondary(db.url, 'postgres')), transactions: true });
  });

  it('Postgres -> SQLite: 16 writers on a pg pool, both sides equal the model', { timeout: 240_000 }, async () => {
    const db = await testDatabase();
    const primary = closing(createPostgresAdapter(db.url, { max: 8 }));
    await runChaos({ primary, secondary: closing(createSQLiteAdapter(':memory:')), transactions: true });
  });
});
