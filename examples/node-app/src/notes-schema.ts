import type { DatabaseAdapter } from '@switchyard/core';

/**
 * The notes table, on either engine. Ids are UUIDs made by the app, so a note written
 * to both databases has the same key on each (an autoincrement id would be assigned
 * separately by each engine).
 */
export async function ensureNotesTable(db: DatabaseAdapter): Promise<void> {
  const createdAt = db.dialect === 'postgres' ? 'TIMESTAMPTZ' : 'DATETIME';
  await db.execute(
    `CREATE TABLE IF NOT EXISTS notes (id TEXT PRIMARY KEY, title TEXT NOT NULL, content TEXT NOT NULL, created_at ${createdAt} NOT NULL)`,
  );
  await db.execute('CREATE INDEX IF NOT EXISTS notes_created_at_idx ON notes (created_at)');
}
