import { describe, expect, it } from 'vitest';
import { createPostgresAdapter } from '@switchyard/postgres';
import { validateDatabases } from '@switchyard/validation';
import type { DatabaseAdapter } from '@switchyard/core';
import { createDualWriteAdapter } from './patient-dual-write';
import { twoTestDatabases } from './two-databases';
import { cleanupAfterEach, openEmbeddedPrimary } from './open-side';

/**
 * Tracing tools put a comment before a statement (`/* traceparent=… *\/`), and query files
 * a `-- name: …` line. Such writes were replicated as their statements: the secondary ran
 * an id-less insert with its own generator (here it has none, so it failed and every later
 * write to the table waited behind it in the journal), and a commented `ALTER TABLE` left
 * the adapter's copy of the table without the new column.
 */
const dbs = twoTestDatabases();
const cleanup = cleanupAfterEach();

async function openPrimary(kind: string): Promise<DatabaseAdapter> {
  if (kind === 'sqlite' || kind === 'd1') return openEmbeddedPrimary(kind, cleanup);
  const primary = createPostgresAdapter(dbs.other.url, { name: 'a', max: 2 });
  await primary.execute('DROP TABLE IF EXISTS notes');
  await primary.execute('CREATE TABLE notes (id bigserial PRIMARY KEY, body text NOT NULL)');
  return primary;
}

describe('statements that start with a comment', () => {
  it.each(['sqlite', 'd1', 'postgres'])('%s -> Postgres: are captured as rows', async (kind) => {
    const primary = await openPrimary(kind);
    const secondary = createPostgresAdapter(dbs.database.url, { name: 'b', max: 2 });
    cleanup(() => Promise.all([primary.close(), secondary.close()]));
    if (kind !== 'postgres') await primary.execute('CREATE TABLE notes (id INTEGER PRIMARY KEY, body TEXT NOT NULL)');
    await secondary.execute('DROP TABLE IF EXISTS notes');
    // No generator on the secondary: only the primary's ids can fill it.
    await secondary.execute('CREATE TABLE notes (id bigint PRIMARY KEY, body text NOT NULL)');
    const dual = createDualWriteAdapter(primary, secondary, { verifyWrites: true });
    cleanup(() => dual.close());

    await dual.execute("/* traceparent='00-4bf92f3577b34da6-00f067aa0ba902b7-01' */ INSERT INTO notes (body) VALUES (?)", ['one']);
    const added = await dual.execute('-- name: AddNote :exec\nINSERT INTO notes (body) VALUES (?)', ['two']);
    expect(added.lastInsertId).toBe(2);
    await dual.execute('/* app */ -- and a line\n  UPDATE notes SET body = ? WHERE id = ?', ['ONE', 1]);
    await dual.execute('/* migrate */ ALTER TABLE notes ADD COLUMN tag text');
    await dual.execute("/* app */ INSERT INTO notes (body, tag) VALUES ('three', 'x')");
    await dual.execute('-- tidy\nDELETE FROM notes WHERE id = ?', [2]);

    const metrics = dual.getMetrics();
    expect(metrics.journalDepth).toBe(0);
    expect(metrics.verificationFailures).toBe(0);
    // Only the schema change went as a statement.
    expect(dual.getMetadata().replicatedByStatement.map((r) => r.sql)).toEqual(['/* migrate */ ALTER TABLE notes ADD COLUMN tag text']);
    expect(await secondary.query('SELECT id, body, tag FROM notes ORDER BY id')).toEqual([
      { id: 1, body: 'ONE', tag: null },
      { id: 3, body: 'three', tag: 'x' },
    ]);
    expect((await validateDatabases(primary, secondary, { validateAllRows: true, tables: ['notes'] })).ok).toBe(true);
  });
});
