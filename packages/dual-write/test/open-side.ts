import { afterEach } from 'vitest';
import type { DatabaseAdapter } from '@switchyard/core';
import { createD1Adapter } from '@switchyard/d1';
import { createPostgresAdapter } from '@switchyard/postgres';
import { createSQLiteAdapter } from '@switchyard/sqlite';
import { createTestD1 } from '@switchyard/testkit/d1';
import { createTestDatabase } from '@switchyard/testkit';
import type { TwoDatabases } from './two-databases';
import { createDualWriteAdapter } from './patient-dual-write';
import { drainOutbox, outboxMirror } from '../src/mirror/index';
import type { DualWriteOptions } from '../src/index';

/** A side of a test pair: in-memory SQLite, or one of the file's two Postgres databases (`a` the first); added to `opened`. */
export function openSide(dbs: TwoDatabases, kind: 'sqlite' | 'postgres', which: 'a' | 'b', opened: DatabaseAdapter[]): DatabaseAdapter {
  const adapter =
    kind === 'sqlite'
      ? createSQLiteAdapter(':memory:', { name: `sqlite-${which}` })
      : createPostgresAdapter(which === 'a' ? dbs.database.url : dbs.other.url, { name: `pg-${which}`, max: 4 });
  opened.push(adapter);
  return adapter;
}

/** Runs `fn` with a D1 primary on a fresh Miniflare database, closed and disposed of after it. */
export async function withD1Primary(fn: (primary: DatabaseAdapter) => Promise<void>): Promise<void> {
  const d1 = await createTestD1();
  const primary = createD1Adapter(d1.binding, { name: 'd1' });
  try {
    await fn(primary);
  } finally {
    await primary.close();
    await d1.dispose();
  }
}

/** Registers undo steps to run after each test of the file, last first; returns the function that adds one. */
export function cleanupAfterEach(): (done: () => Promise<unknown>) => void {
  const steps: (() => Promise<unknown>)[] = [];
  afterEach(async () => {
    for (const done of steps.splice(0).reverse()) await done();
  });
  return (done) => void steps.push(done);
}

/** A primary named `a` on an embedded engine: in-memory SQLite, or D1 on a fresh Miniflare database that `cleanup` disposes of. */
export async function openEmbeddedPrimary(
  kind: 'sqlite' | 'd1',
  cleanup: (done: () => Promise<unknown>) => void,
): Promise<DatabaseAdapter> {
  if (kind === 'sqlite') return createSQLiteAdapter(':memory:', { name: 'a' });
  const d1 = await createTestD1();
  cleanup(() => d1.dispose());
  return createD1Adapter(d1.binding, { name: 'a' });
}

/**
 * An embedded primary `a` of `kind` and, as secondary `b`, a Postgres database of its own
 * (a drain keeps the versions of the rows it applied there); `cleanup` closes and drops them.
 */
export async function primaryAndFreshPostgres(
  kind: 'sqlite' | 'd1',
  cleanup: (done: () => Promise<unknown>) => void,
): Promise<{ primary: DatabaseAdapter; secondary: DatabaseAdapter }> {
  const primary = await openEmbeddedPrimary(kind, cleanup);
  const database = await createTestDatabase();
  cleanup(() => database.drop());
  const secondary = createPostgresAdapter(database.url, { name: 'b', max: 2 });
  cleanup(() => Promise.all([primary.close(), secondary.close()]));
  return { primary, secondary };
}

/**
 * A dual write for a test run both ways: synchronous with `verifyWrites`, or through an
 * outbox in the primary; `drained()` applies the outbox (nothing when synchronous). `cleanup`
 * (from {@link cleanupAfterEach}) closes it after the test.
 */
export function syncOrOutbox(
  primary: DatabaseAdapter,
  secondary: DatabaseAdapter,
  mode: 'sync' | 'outbox',
  cleanup: (done: () => Promise<unknown>) => void,
  options: DualWriteOptions = {},
) {
  const mirror = outboxMirror(primary);
  const adapter = createDualWriteAdapter(primary, secondary, {
    ...options,
    ...(mode === 'sync' ? { verifyWrites: true } : { secondaryWrites: 'async', mirror }),
  });
  cleanup(() => adapter.close());
  return { adapter, drained: async () => void (mode === 'outbox' && (await drainOutbox(secondary, { mirror }))) };
}
