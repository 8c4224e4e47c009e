import { afterAll, expect } from 'vitest';
import type { DatabaseAdapter } from '@switchyard/core';
import { createPostgresAdapter } from '@switchyard/postgres';
import { createSQLiteAdapter } from '@switchyard/sqlite';
import { createTestDatabase, runAdapterConformance, type TestDatabase } from '@switchyard/testkit';
import { type DualWriteAdapter } from '../src/index';
import { createDualWriteAdapter } from './patient-dual-write';

// Postgres is primary: the suite writes its DDL in the primary's dialect, and SQLite
// accepts Postgres type names (BYTEA, TIMESTAMPTZ, JSONB) with the same logical types,
// while SQLite's BLOB does not exist on Postgres; an IDENTITY column reaches SQLite as
// its INTEGER key. The run carries on past secondary failures, and the teardown checks
// that the secondary refused none.
const databases: TestDatabase[] = [];
const seen: string[] = [];
afterAll(async () => {
  await Promise.all(databases.map((d) => d.drop()));
});

runAdapterConformance({
  name: 'dual-write postgres -> sqlite',
  async create(): Promise<DatabaseAdapter> {
    const pg = await createTestDatabase();
    databases.push(pg);
    const dual = createDualWriteAdapter(createPostgresAdapter(pg.url), createSQLiteAdapter(':memory:'), {
      verifyWrites: true,
      secondaryTimeoutMs: 30_000,
      continueOnSecondaryFailure: true,
    });
    dual.on('verification-failed', (e) => seen.push(e.reason));
    return dual;
  },
  // Writes must reach both sides: tests read each one back.
  sides: (adapter) => [(adapter as DualWriteAdapter).primary, (adapter as DualWriteAdapter).secondary],
  async teardown(adapter) {
    const dual = adapter as DualWriteAdapter;
    // Every row the suite wrote is the same on both engines, by logical type, except what
    // SQLite cannot hold: a NUMERIC of more than 15 significant digits, which it would store
    // as a rounded REAL, is refused there and journaled rather than written changed.
    const refused = (await dual.journalEntries()).filter((e) => e.attempts > 0);
    const rounded = refused.filter((e) => /column v_num|the numeric [\d.]{16,} has more than 15 significant digits/.test(e.error));
    expect(refused.filter((e) => !rounded.includes(e)).map((e) => e.sql)).toEqual([]);
    expect(seen).toEqual([]);
    // What SQLite cannot hold is the operator's to settle (a TEXT column there); here it is let go.
    for (const entry of rounded) await dual.discardJournalEntry(entry.id);
    await dual.close();
  },
});
