import { randomUUID } from 'node:crypto';
import type { DatabaseAdapter } from '@switchyard/core';

/**
 * The app's table as it exists in SQLite today. Ids are UUIDs made by the app, so a
 * row written to both databases gets the same key on each side (an autoincrement id
 * would be assigned twice, once by each engine).
 */
export const NOTES_DDL = `
CREATE TABLE notes (
  id TEXT PRIMARY KEY,
  title TEXT NOT NULL,
  content TEXT NOT NULL,
  pinned BOOLEAN NOT NULL DEFAULT 0,
  tags JSON,
  created_at DATETIME NOT NULL,
  updated_at DATETIME NOT NULL
)`;

export const NOTES_INDEX_DDL = 'CREATE INDEX notes_created_at_idx ON notes (created_at)';

/** One note as the app writes it. */
export interface NoteInput {
  id: string;
  title: string;
  content: string;
  pinned: boolean;
  tags: string;
  createdAt: string;
}

/** A plausible note; `n` only makes titles readable. */
export function makeNote(n: number, at = new Date()): NoteInput {
  const tags = ['work', 'home', 'ideas', 'todo'].filter((_, i) => (n >> i) & 1);
  return {
    id: randomUUID(),
    title: `Note ${n}`,
    content: `Written at ${at.toISOString()}`,
    pinned: n % 7 === 0,
    tags: JSON.stringify(tags),
    createdAt: at.toISOString(),
  };
}

/** The insert the app runs: plain SQL with `?` placeholders, the same on every engine. */
export function insertNote(db: DatabaseAdapter, note: NoteInput): Promise<unknown> {
  return db.execute('INSERT INTO notes (id, title, content, pinned, tags, created_at, updated_at) VALUES (?, ?, ?, ?, ?, ?, ?)', [
    note.id,
    note.title,
    note.content,
    note.pinned,
    note.tags,
    note.createdAt,
    note.createdAt,
  ]);
}

/** Fills a fresh SQLite database with `count` notes from the weeks before the migration. */
export async function seedNotes(db: DatabaseAdapter, count: number): Promise<void> {
  await db.execute(NOTES_DDL);
  await db.execute(NOTES_INDEX_DDL);
  const start = Date.now() - 30 * 24 * 3600_000;
  for (let from = 0; from < count; from += 500) {
    const batch = [];
    for (let n = from; n < Math.min(count, from + 500); n++) {
      const note = makeNote(n + 1, new Date(start + n * 60_000));
      batch.push({
        sql: 'INSERT INTO notes (id, title, content, pinned, tags, created_at, updated_at) VALUES (?, ?, ?, ?, ?, ?, ?)',
        params: [note.id, note.title, note.content, note.pinned, note.tags, note.createdAt, note.createdAt],
      });
    }
    await db.batch(batch);
  }
}

/** Rows in `notes`, as a number, on any engine. */
export async function countNotes(db: DatabaseAdapter): Promise<number> {
  const row = await db.first<{ n: number | string | bigint }>('SELECT count(*) AS n FROM notes');
  return Number(row?.n ?? 0);
}
