import { describe, expect, it } from 'vitest';
import type { DatabaseAdapter } from '@switchyard/core';
import { copyTables, translateSchema } from '../src/index';
import { usePostgresDatabase, withSqliteAndD1 } from './fixtures';

// Soft deletes: an email is unique among the live rows only. Without its WHERE the index
// would refuse the copied rows (two deleted accounts share an email), or, were there no such
// rows yet, refuse the app's next sign-up with a deleted account's email after the switch.
const LIVE = (dialect: string) => `CREATE TABLE accounts (
  id ${dialect === 'postgres' ? 'bigint' : 'INTEGER'} PRIMARY KEY,
  email text NOT NULL,
  deleted_at text,
  kind text NOT NULL
)`;
const INDEXES = [
  'CREATE UNIQUE INDEX accounts_live_email ON accounts (email) WHERE deleted_at IS NULL',
  "CREATE INDEX accounts_admins ON accounts (id) WHERE kind = 'admin'",
];
const ROWS =
  "INSERT INTO accounts (id, email, deleted_at, kind) VALUES (1, 'a@x', '2025-01-01', 'user'), (2, 'a@x', '2025-02-01', 'user'), (3, 'a@x', NULL, 'admin')";

/** Translates `source`'s schema for `target`, copies, then creates the post-data (indexes) and checks them at work. */
async function migrate(source: DatabaseAdapter, target: DatabaseAdapter): Promise<void> {
  const schema = translateSchema(await source.introspect(), target.dialect, { from: source.dialect });
  expect(schema.untranslated).toEqual([]);
  expect(schema.postData.join('\n')).toMatch(/"accounts_live_email" ON "accounts" \("email"\) WHERE \(?deleted_at IS NULL\)?/);
  for (const sql of schema.tables) await target.execute(sql);
  expect((await copyTables(source, target)).tables[0]).toMatchObject({ status: 'done', rowsCopied: 3 });
  for (const sql of schema.postData) await target.execute(sql);
  // Unique among live rows only, as on the source.
  await expect(target.execute("INSERT INTO accounts (id, email, kind) VALUES (4, 'a@x', 'user')")).rejects.toThrow(/unique/i);
  await target.execute("INSERT INTO accounts (id, email, deleted_at, kind) VALUES (5, 'a@x', '2025-03-01', 'user')");
  const indexes = (await target.introspect()).find((t) => t.name === 'accounts')!.indexes;
  expect(indexes.find((i) => i.name === 'accounts_admins')?.where).toMatch(/kind = 'admin'/);
}

describe('partial indexes keep their WHERE across engines', () => {
  const postgres = usePostgresDatabase();

  it('SQLite -> Postgres, then Postgres -> SQLite and D1', async () => {
    await withSqliteAndD1(async ({ sqlite, other: back, d1 }) => {
      for (const sql of [LIVE('sqlite'), ...INDEXES, ROWS]) await sqlite.execute(sql);
      expect((await sqlite.introspect())[0]!.indexes.find((i) => i.name === 'accounts_live_email')?.where).toBe('deleted_at IS NULL');
      await migrate(sqlite, postgres.adapter);
      await postgres.adapter.execute('DELETE FROM accounts WHERE id > 3');
      await migrate(postgres.adapter, back);
      await migrate(postgres.adapter, d1);
    });
  });

  it('leaves out, and says so, a partial index whose WHERE does not read the same on the target', async () => {
    await postgres.adapter.execute('CREATE TABLE handles (id bigint PRIMARY KEY, name text)');
    await postgres.adapter.execute("CREATE UNIQUE INDEX handles_plain ON handles (name) WHERE name ~ '^[a-z]+$'");
    const schema = translateSchema(
      (await postgres.adapter.introspect()).filter((t) => t.name === 'handles'),
      'sqlite',
      { from: 'postgres' },
    );
    expect(schema.postData.join('\n')).not.toMatch(/handles_plain/);
    expect(schema.untranslated).toEqual([
      expect.objectContaining({ table: 'handles', kind: 'index', message: expect.stringMatching(/partial index "handles_plain"/) }),
    ]);
  });
});
