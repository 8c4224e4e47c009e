import { describe, it } from 'vitest';
import { createPostgresAdapter } from '@switchyard/postgres';
import { createSQLiteAdapter } from '@switchyard/sqlite';
import { runOutboxChaos } from './chaos-outbox-run';
import { closing, d1ToProxiedPostgres, proxiedSecondary, testDatabase } from './chaos-pairs';
import { chaosSize } from './chaos-run';

describe('randomized async mode: an outbox drained while 16 writers write', () => {
  it(
    'SQLite -> Postgres: faults between the drain and Postgres; drained to empty, both sides equal the model',
    { timeout: 240_000 },
    async () => {
      const db = await testDatabase();
      const primary = closing(createSQLiteAdapter(':memory:'));
      await runOutboxChaos({ primary, ...(await proxiedSecondary(db.url, 'postgres')), transactions: true });
    },
  );

  it('Postgres -> Postgres: faults between the drain and the secondary; both sides equal the model', { timeout: 240_000 }, async () => {
    const [a, b] = [await testDatabase(), await testDatabase()];
    const primary = closing(createPostgresAdapter(a.url, { name: 'primary', max: 8 }));
    await runOutboxChaos({ primary, ...(await proxiedSecondary(b.url, 'secondary')), transactions: true });
  });

  it('Postgres -> SQLite: 16 writers on a pg pool; both sides equal the model', { timeout: 240_000 }, async () => {
    const db = await testDatabase();
    const primary = closing(createPostgresAdapter(db.url, { max: 8 }));
    await runOutboxChaos({ primary, secondary: closing(createSQLiteAdapter(':memory:')), transactions: true });
  });

  it('D1 -> Postgres: batches only, faults between the drain and Postgres; both sides equal the model', { timeout: 240_000 }, async () => {
    // Each D1 call crosses into workerd: fewer writes per writer.
    await runOutboxChaos(await d1ToProxiedPostgres(), chaosSize(8));
  });
});
