import { createSQLiteAdapter } from '@switchyard/sqlite';
import { outboxScenarios, sqliteDeleteBlock } from '../../test/mirror/outbox-scenarios';

// The outbox in a SQLite primary, drained into another SQLite database.
outboxScenarios('outbox on SQLite, drained into SQLite', async () => {
  const primary = createSQLiteAdapter(':memory:');
  const secondary = createSQLiteAdapter(':memory:');
  return {
    primary,
    secondary,
    ...sqliteDeleteBlock,
    dispose: async () => {
      await primary.close();
      await secondary.close();
    },
  };
});
