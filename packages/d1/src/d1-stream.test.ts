import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { InvalidArgumentError } from '@switchyard/core';
import { startD1RestServer, type TestD1RestServer } from '@switchyard/testkit/d1';
import { createD1Adapter, type D1Adapter } from './index';

const ROWS = 2500;

describe('d1 stream() in pages', () => {
  let server: TestD1RestServer;
  let adapter: D1Adapter;

  beforeAll(async () => {
    server = await startD1RestServer();
    adapter = createD1Adapter({
      accountId: server.accountId,
      databaseId: server.databaseId,
      apiToken: server.apiToken,
      baseUrl: server.url,
    });
    await adapter.execute('CREATE TABLE t (id INTEGER PRIMARY KEY, name TEXT, other_id INTEGER)');
    await adapter.execute(
      `INSERT INTO t (id, name, other_id) WITH RECURSIVE s(n) AS (SELECT 1 UNION ALL SELECT n + 1 FROM s WHERE n < ${ROWS}) SELECT n, 'r' || n, n FROM s`,
    );
  });
  afterAll(async () => {
    await adapter.close();
    await server.close();
  });

  /** Requests the server receives while `fn` runs. */
  async function requestsDuring(fn: () => Promise<void>): Promise<number> {
    const before = server.requests;
    await fn();
    return server.requests - before;
  }

  it('reads 2,500 rows in 3 page requests of 1,000, in order', async () => {
    const sizes: number[] = [];
    const ids: number[] = [];
    const requests = await requestsDuring(async () => {
      for await (const rows of adapter.stream<{ id: number }>('SELECT id FROM t ORDER BY id;', [], { chunkSize: 1000 })) {
        sizes.push(rows.length);
        ids.push(...rows.map((r) => r.id));
      }
    });
    expect(requests).toBe(3);
    expect(sizes).toEqual([1000, 1000, 500]);
    expect(ids).toEqual(Array.from({ length: ROWS }, (_, i) => i + 1));
  });

  it('sends no further request after the loop breaks on the first row', async () => {
    const requests = await requestsDuring(async () => {
      for await (const _rows of adapter.stream('SELECT * FROM t ORDER BY id', [], { chunkSize: 1000 })) break;
    });
    expect(requests).toBe(1);
  });

  it('fetches the next page only when the consumer asks for it', async () => {
    const iterator = adapter.stream('SELECT id FROM t WHERE id > ? ORDER BY id -- trailing comment', [100], { chunkSize: 1000 });
    const before = server.requests;
    await iterator.next();
    await new Promise((resolve) => setTimeout(resolve, 20));
    expect(server.requests - before).toBe(1);
    await iterator.next();
    expect(server.requests - before).toBe(2);
    await iterator.return?.();
  });

  it('reads a write in one request, and a join naming a column twice under the names it gives', async () => {
    const updated = await requestsDuring(async () => {
      let rows = 0;
      for await (const chunk of adapter.stream('UPDATE t SET name = name WHERE id <= 3 RETURNING id', [], { chunkSize: 1 }))
        rows += chunk.length;
      expect(rows).toBe(3);
    });
    expect(updated).toBe(1);
    const joined: Record<string, unknown>[] = [];
    for await (const rows of adapter.stream('SELECT a.id, b.id FROM t a JOIN t b ON b.id = a.other_id WHERE a.id <= 2 ORDER BY a.id', [], {
      chunkSize: 1,
    })) {
      joined.push(...rows);
    }
    expect(joined.map((r) => Object.keys(r))).toEqual([['id'], ['id']]);
  });

  it('binds up to 98 parameters in pages, and more in one request', async () => {
    const ids = (n: number) => Array.from({ length: n }, (_, i) => i + 1);
    const marks = (n: number) =>
      ids(n)
        .map(() => '?')
        .join(', ');
    const paged = await requestsDuring(async () => {
      for await (const _rows of adapter.stream(`SELECT id FROM t WHERE id IN (${marks(98)}) ORDER BY id`, ids(98), { chunkSize: 40 }));
    });
    expect(paged).toBe(3);
    const whole = await requestsDuring(async () => {
      for await (const _rows of adapter.stream(`SELECT id FROM t WHERE id IN (${marks(99)}) ORDER BY id`, ids(99), { chunkSize: 40 }));
    });
    expect(whole).toBe(1);
  });

  it('rejects a chunk size that is not a positive whole number', async () => {
    await expect(adapter.stream('SELECT 1', [], { chunkSize: 0 }).next()).rejects.toBeInstanceOf(InvalidArgumentError);
  });
});
