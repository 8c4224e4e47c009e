import { describe, expect, it } from 'vitest';
import { Migrator, sql, type Kysely, type Migration } from 'kysely';
import { normalizeValue } from '@switchyard/core';
import type { ConformanceContext } from './conformance-context';
import { ddl } from './schema-ddl';

const MIGRATIONS = 3;
const PARALLEL_RUNS = 4;

/**
 * Conformance checks: Kysely's `db.connection()` is one session, exclusive while it
 * lasts, so Kysely's Migrator run from several places at once applies each migration
 * exactly once. Runs where the adapter offers sessions (`adapter.connection`).
 *
 * @example
 * ```ts
 * kyselySessionsConformance(createConformanceContext(adapter, { name: 'postgres', create }));
 * ```
 */
export function kyselySessionsConformance(ctx: ConformanceContext): void {
  const { adapter } = ctx;
  const sessions = typeof adapter.connection === 'function';

  describe('kysely sessions', () => {
    it.runIf(sessions)('keeps each db.connection() block on one session of its own', async () => {
      const order: string[] = [];
      const pg = adapter.dialect === 'postgres';
      // Postgres has a session per pooled connection; SQLite and D1 have one for the whole database.
      const sessionOf = async (conn: Kysely<any>) =>
        pg ? String((await sql<{ pid: number }>`SELECT pg_backend_pid() AS pid`.execute(conn)).rows[0]!.pid) : 'db';
      const block = (name: string) =>
        adapter.db.connection().execute(async (conn) => {
          order.push(`${name}:start`);
          const first = await sessionOf(conn);
          await new Promise((resolve) => setTimeout(resolve, 20));
          const second = await sessionOf(conn);
          order.push(`${name}:end`);
          expect(second).toBe(first);
          return first;
        });
      const sessions_ = await Promise.all([block('a'), block('b'), block('c')]);
      // Blocks that ran at the same time had different sessions; on a single session they ran one after another.
      if (pg) expect(new Set(sessions_).size).toBe(3);
      else for (let i = 0; i < order.length; i += 2) expect(order[i]!.split(':')[0]).toBe(order[i + 1]!.split(':')[0]);
    });

    it.runIf(sessions && adapter.dialect === 'postgres')('keeps session settings within db.connection()', async () => {
      const names = await adapter.db.connection().execute(async (conn) => {
        await sql`SELECT set_config('application_name', 'sy-session', false)`.execute(conn);
        const seen: string[] = [];
        for (let i = 0; i < 20; i++) {
          const { rows } = await sql<{ name: string }>`SELECT current_setting('application_name') AS name`.execute(conn);
          seen.push(rows[0]!.name);
        }
        await sql`SELECT set_config('application_name', '', false)`.execute(conn);
        return seen;
      });
      expect(new Set(names)).toEqual(new Set(['sy-session']));
    });

    it.runIf(sessions)("applies each migration once when Kysely's Migrator runs several times at once", async () => {
      const log = ctx.table('kysely_migration_log');
      const prefix = ctx.table('kysely_migrations');
      await adapter.execute(ddl(adapter, `CREATE TABLE ${log} (name {text} NOT NULL)`));
      const migrations: Record<string, Migration> = {};
      for (let i = 1; i <= MIGRATIONS; i++) {
        const name = `m${i}`;
        migrations[name] = {
          async up(db: Kysely<any>) {
            await db.insertInto(log).values({ name }).execute();
            // A slow migration widens the window in which an unexcluded runner would slip in.
            await new Promise((resolve) => setTimeout(resolve, 10));
          },
        };
      }
      const migrator = () =>
        new Migrator({
          db: adapter.db,
          provider: { getMigrations: async () => migrations },
          migrationTableName: `${prefix}_m`,
          migrationLockTableName: `${prefix}_l`,
        });
      const results = await Promise.all(Array.from({ length: PARALLEL_RUNS }, () => migrator().migrateToLatest()));
      for (const r of results) expect(r.error).toBeUndefined();
      const applied = results.flatMap((r) => (r.results ?? []).filter((m) => m.status === 'Success').map((m) => m.migrationName));
      expect(applied.sort()).toEqual(Object.keys(migrations));
      for (const side of ctx.sides()) {
        const rows = await side.query<{ name: string; n: unknown }>(`SELECT name, count(*) AS n FROM ${log} GROUP BY name ORDER BY name`);
        expect(
          rows.map((r) => [r.name, normalizeValue(r.n, 'integer')]),
          side.name,
        ).toEqual(Object.keys(migrations).map((name) => [name, '1']));
      }
    });
  });
}
