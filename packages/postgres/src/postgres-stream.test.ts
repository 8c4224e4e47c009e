import { createTestDatabase } from '@switchyard/testkit';
import { afterAll, describe, expect, it } from 'vitest';
import { createPostgresAdapter } from './postgres-create';

const database = await createTestDatabase();
const adapter = createPostgresAdapter(database.url, { max: 2 });
afterAll(async () => {
  await adapter.close();
  await database.drop();
});

describe('postgres stream()', () => {
  it('reads only the chunks asked for: the server stops producing rows when the loop ends', async () => {
    await adapter.execute('CREATE SEQUENCE sy_stream_seq');
    let chunks = 0;
    // Each produced row advances the sequence, so its value counts the rows the server made.
    for await (const rows of adapter.stream('SELECT g, nextval(?) AS n FROM generate_series(1, 1000000) g', ['sy_stream_seq'], {
      chunkSize: 10,
    })) {
      expect(rows).toHaveLength(10);
      if (++chunks === 3) break;
    }
    const row = await adapter.first<{ last: number }>('SELECT last_value AS last FROM sy_stream_seq');
    expect(row?.last).toBeLessThanOrEqual(40);
  });

  it('returns the connection after an early break and after an error', async () => {
    for (let i = 0; i < 5; i++) {
      for await (const _rows of adapter.stream('SELECT g FROM generate_series(1, 1000) g', [], { chunkSize: 10 })) break;
    }
    await expect(
      (async () => {
        for await (const _rows of adapter.stream('SELECT 1 / (g - 50) FROM generate_series(1, 100) g', [], { chunkSize: 10 })) {
          // The division by zero comes in the fifth chunk.
        }
      })(),
    ).rejects.toMatchObject({ code: 'QUERY_FAILED' });
    // A pool of two serves the next queries: nothing was left checked out.
    const rows = await Promise.all([
      adapter.query('SELECT 1 AS one'),
      adapter.query('SELECT 2 AS two'),
      adapter.query('SELECT 3 AS three'),
    ]);
    expect(rows).toHaveLength(3);
    expect(adapter.pool?.totalCount).toBeLessThanOrEqual(2);
  });
});
