import { describe, expect, it } from 'vitest';
import { createSQLiteAdapter } from './index';

describe('introspect() on SQLite', () => {
  it('marks a table whose constraints declare ON CONFLICT REPLACE, and only those', async () => {
    const db = createSQLiteAdapter(':memory:');
    await db.execute('CREATE TABLE handles (id INTEGER PRIMARY KEY, email TEXT UNIQUE ON CONFLICT REPLACE)');
    await db.execute('CREATE TABLE keyed (id INTEGER PRIMARY KEY ON CONFLICT REPLACE, n INTEGER)');
    await db.execute(
      "CREATE TABLE plain (id INTEGER PRIMARY KEY, note TEXT DEFAULT 'on conflict replace', n INTEGER UNIQUE ON CONFLICT FAIL)",
    );
    const tables = new Map((await db.introspect()).map((t) => [t.name, t]));
    expect(tables.get('handles')?.replacesOnConflict).toBe(true);
    expect(tables.get('keyed')?.replacesOnConflict).toBe(true);
    expect(tables.get('plain')?.replacesOnConflict).toBeUndefined();
    await db.close();
  });
});
