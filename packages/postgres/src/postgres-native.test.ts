import { afterAll, describe, expect, it } from 'vitest';
import { nativeHandle } from '@switchyard/core';
import { createTestDatabase } from '@switchyard/testkit';
import { createPostgresAdapter } from './postgres-create';

const database = await createTestDatabase();
afterAll(() => database.drop());

describe('postgres native handle', () => {
  it('lends a pg connection, the transaction’s own inside one', async () => {
    const adapter = createPostgresAdapter(database.url, { max: 2 });
    try {
      const native = adapter.native;
      expect(native.kind).toBe('pg');
      expect(nativeHandle(adapter, 'better-sqlite3')).toBeUndefined();
      await adapter.execute('CREATE TABLE native_seen (id int PRIMARY KEY)');
      await adapter.transaction(async (tx) => {
        await tx.execute('INSERT INTO native_seen VALUES (1)');
        // The insert is not committed yet: only the transaction's connection sees it.
        const seen = await nativeHandle(tx, 'pg')!.withConnection((client) => client.query('SELECT 1 FROM native_seen'));
        expect(seen.rowCount).toBe(1);
      });
      const outside = await native.withConnection((client) => client.query('SELECT 1 FROM native_seen WHERE id = $1', [1]));
      expect(outside.rowCount).toBe(1);
    } finally {
      await adapter.close();
    }
  });
});
