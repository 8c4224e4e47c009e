import { createD1Adapter } from '@switchyard/d1';
import { createPostgresAdapter } from '@switchyard/postgres';
import { createSQLiteAdapter } from '@switchyard/sqlite';
import { createTestD1 } from '@switchyard/testkit/d1';
import { createTestDatabase } from '@switchyard/testkit/postgres-server';
import { outboxScenarios, sqliteDeleteBlock } from '../../test/mirror/outbox-scenarios';

// The outbox in a D1 primary (written in the write's own batch), drained into Postgres.
outboxScenarios(
  'outbox on D1, drained into Postgres',
  async () => {
    const d1 = await createTestD1();
    const database = await createTestDatabase();
    const primary = createD1Adapter(d1.binding);
    const secondary = createPostgresAdapter(database.url);
    return {
      primary,
      secondary,
      ...sqliteDeleteBlock,
      dispose: async () => {
        await primary.close();
        await secondary.close();
        await d1.dispose();
        await database.drop();
      },
    };
  },
  6,
);

// D1 as the secondary: no interactive transactions, so each operation is one guarded batch.
outboxScenarios(
  'outbox on SQLite, drained into D1',
  async () => {
    const d1 = await createTestD1();
    const primary = createSQLiteAdapter(':memory:');
    const secondary = createD1Adapter(d1.binding);
    return {
      primary,
      secondary,
      ...sqliteDeleteBlock,
      dispose: async () => {
        await primary.close();
        await secondary.close();
        await d1.dispose();
      },
    };
  },
  6,
);
