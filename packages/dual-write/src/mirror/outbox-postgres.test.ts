import { createPostgresAdapter } from '@switchyard/postgres';
import { createSQLiteAdapter } from '@switchyard/sqlite';
import { createTestDatabase } from '@switchyard/testkit/postgres-server';
import { outboxScenarios, sqliteDeleteBlock } from '../../test/mirror/outbox-scenarios';

const PG_BLOCK = (table: string) => [
  `CREATE FUNCTION block_outbox_delete() RETURNS trigger LANGUAGE plpgsql AS $$ BEGIN RAISE EXCEPTION 'outbox deletes blocked'; END $$`,
  `CREATE TRIGGER block_outbox_delete BEFORE DELETE ON ${table} FOR EACH ROW EXECUTE FUNCTION block_outbox_delete()`,
];

// The outbox in a Postgres primary, drained into SQLite.
outboxScenarios('outbox on Postgres, drained into SQLite', async () => {
  const database = await createTestDatabase();
  const primary = createPostgresAdapter(database.url);
  const secondary = createSQLiteAdapter(':memory:');
  return {
    primary,
    secondary,
    blockDeletes: PG_BLOCK,
    unblockDeletes: (table) => [`DROP TRIGGER block_outbox_delete ON ${table}`],
    dispose: async () => {
      await primary.close();
      await secondary.close();
      await database.drop();
    },
  };
});

// The outbox in a SQLite primary, drained into Postgres.
outboxScenarios('outbox on SQLite, drained into Postgres', async () => {
  const database = await createTestDatabase();
  const primary = createSQLiteAdapter(':memory:');
  const secondary = createPostgresAdapter(database.url);
  return {
    primary,
    secondary,
    ...sqliteDeleteBlock,
    dispose: async () => {
      await primary.close();
      await secondary.close();
      await database.drop();
    },
  };
});
