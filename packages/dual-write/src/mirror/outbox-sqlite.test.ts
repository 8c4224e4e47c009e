import { createSQLiteAdapter } from '@switchyard/sqlite';
import { outboxScenarios } from './outbox-scenarios';

// The outbox in a SQLite primary, drained into another SQLite database.
outboxScenarios('outbox on SQLite, drained into SQLite', async () => {
  const primary = createSQLiteAdapter(':memory:');
  const secondary = createSQLiteAdapter(':memory:');
  return {
    primary,
    secondary,
    blockDeletes: (table) => [
      `CREATE TRIGGER block_outbox_delete BEFORE DELETE ON ${table} BEGIN SELECT RAISE(ABORT, 'outbox deletes blocked'); END`,
    ],
    unblockDeletes: () => ['DROP TRIGGER block_outbox_delete'],
    dispose: async () => {
      await primary.close();
      await secondary.close();
    },
  };
});
