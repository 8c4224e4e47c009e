import type { DatabaseAdapter, DialectName } from '@switchyard/core';
import { createD1Adapter } from '@switchyard/d1';
import { createPostgresAdapter } from '@switchyard/postgres';
import { createSQLiteAdapter } from '@switchyard/sqlite';
import { createTestD1 } from '@switchyard/testkit/d1';
import { createTestDatabase } from '@switchyard/testkit/postgres-server';

/** A fresh, empty database on one engine, and how to throw it away. */
export interface TestEngine {
  adapter: DatabaseAdapter;
  dispose(): Promise<void>;
}

/** The engines every validation test runs on. */
export const ENGINES: readonly DialectName[] = ['sqlite', 'd1', 'postgres'];

/** Every ordered (source, target) pairing of the engines, same-engine pairs included. */
export const ENGINE_PAIRS: ReadonlyArray<readonly [DialectName, DialectName]> = ENGINES.flatMap((s) => ENGINES.map((t) => [s, t] as const));

/** Opens an empty database on a real engine: in-memory SQLite, Miniflare D1, a new Postgres database. */
export async function openEngine(dialect: DialectName): Promise<TestEngine> {
  switch (dialect) {
    case 'sqlite': {
      const adapter = createSQLiteAdapter(':memory:');
      return { adapter, dispose: () => adapter.close() };
    }
    case 'd1': {
      const d1 = await createTestD1();
      const adapter = createD1Adapter(d1.binding);
      return {
        adapter,
        async dispose() {
          await adapter.close();
          await d1.dispose();
        },
      };
    }
    case 'postgres': {
      const db = await createTestDatabase();
      const adapter = createPostgresAdapter(db.url);
      return {
        adapter,
        async dispose() {
          await adapter.close();
          await db.drop();
        },
      };
    }
  }
}
