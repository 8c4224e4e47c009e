import { describe, expect, it } from 'vitest';
import { nativeHandle } from '@switchyard/core';
import { createSQLiteAdapter } from './sqlite-create';

describe('sqlite native handle', () => {
  it('is the better-sqlite3 database, in sessions and transactions too', async () => {
    const adapter = createSQLiteAdapter(':memory:');
    const native = adapter.native;
    expect(native.kind).toBe('better-sqlite3');
    expect(native.database).toBe(adapter.database);
    expect(native.database.prepare('SELECT 41 + 1 AS n').get()).toEqual({ n: 42 });
    await adapter.transaction(async (tx) => {
      expect(nativeHandle(tx, 'better-sqlite3')?.database).toBe(adapter.database);
    });
    expect(nativeHandle(adapter, 'pg')).toBeUndefined();
    await adapter.close();
  });
});
