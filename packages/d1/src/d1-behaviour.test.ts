import { LimitExceededError, ParameterError, type DatabaseAdapter } from '@switchyard/core';
import { createTestD1, startD1RestServer, type TestD1RestServer } from '@switchyard/testkit/d1';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createD1Adapter } from './index';

interface Target {
  adapter: DatabaseAdapter;
  /** Requests that reached D1's REST endpoint so far; undefined on the binding. */
  requests(): number | undefined;
  close(): Promise<void>;
}

const targets: Record<string, () => Promise<Target>> = {
  binding: async () => {
    const d1 = await createTestD1();
    const adapter = createD1Adapter(d1.binding);
    return { adapter, requests: () => undefined, close: async () => (await adapter.close(), await d1.dispose()) };
  },
  rest: async () => {
    const server: TestD1RestServer = await startD1RestServer();
    const { accountId, databaseId, apiToken } = server;
    const adapter = createD1Adapter({ accountId, databaseId, apiToken, baseUrl: server.url });
    return { adapter, requests: () => server.requests, close: async () => (await adapter.close(), await server.close()) };
  },
};

describe.each(Object.keys(targets))('d1 through the %s', (kind) => {
  let t: Target;
  beforeAll(async () => {
    t = await targets[kind]!();
    await t.adapter.execute('CREATE TABLE items (id INTEGER PRIMARY KEY, name TEXT NOT NULL UNIQUE, flag TEXT, n INTEGER, data BLOB)');
  });
  afterAll(() => t.close());

  it('rejects 101 parameters with a LimitExceededError before sending anything', async () => {
    const before = t.requests();
    const sql = `SELECT ${Array.from({ length: 101 }, () => '?').join(', ')}`;
    const error = await t.adapter
      .query(
        sql,
        Array.from({ length: 101 }, (_, i) => i),
      )
      .catch((e: unknown) => e);
    expect(error).toBeInstanceOf(LimitExceededError);
    expect((error as LimitExceededError).limit).toBe('parameters');
    expect((error as Error).message).toMatch(/batch\(\)/);
    expect(t.requests()).toBe(before);
  });

  it('accepts exactly 100 parameters', async () => {
    const sql = `SELECT ${Array.from({ length: 100 }, (_, i) => `? AS c${i}`).join(', ')}`;
    const row = await t.adapter.first<Record<string, number>>(
      sql,
      Array.from({ length: 100 }, (_, i) => i),
    );
    expect(row?.c99).toBe(99);
  });

  it('rejects a statement over 100 KB with a LimitExceededError before sending anything', async () => {
    const before = t.requests();
    const error = await t.adapter.query(`SELECT '${'x'.repeat(100_001)}' AS x`).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(LimitExceededError);
    expect((error as LimitExceededError).limit).toBe('statementBytes');
    expect(t.requests()).toBe(before);
  });

  it('checks every statement of a batch before sending any', async () => {
    const before = t.requests();
    const big = { sql: `SELECT ${Array.from({ length: 101 }, () => '?').join(', ')}`, params: Array(101).fill(1) };
    await expect(t.adapter.batch([{ sql: "INSERT INTO items (name) VALUES ('never')" }, big])).rejects.toBeInstanceOf(LimitExceededError);
    expect(t.requests()).toBe(before);
    expect(await t.adapter.first("SELECT id FROM items WHERE name = 'never'")).toBeUndefined();
  });

  it('limits Kysely builder queries the same way', async () => {
    const rows = Array.from({ length: 34 }, (_, i) => ({ name: `k${i}`, flag: 'x', n: i }));
    await expect(t.adapter.db.insertInto('items').values(rows).execute()).rejects.toBeInstanceOf(LimitExceededError);
  });

  it('rejects a bigint beyond 2^53 with a ParameterError instead of rounding it', async () => {
    const error = await t.adapter.execute('INSERT INTO items (name, n) VALUES (?, ?)', ['big', 2n ** 53n + 1n]).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ParameterError);
    expect((error as ParameterError).position).toBe(2);
  });

  it("stores a boolean bound to a TEXT column as '1.0' (D1 binds every JS number as REAL)", async () => {
    await t.adapter.execute('INSERT INTO items (name, flag, n) VALUES (?, ?, ?)', ['bool', true, true]);
    const row = await t.adapter.first<{ flag: unknown; n: unknown }>("SELECT flag, n FROM items WHERE name = 'bool'");
    expect(row).toEqual({ flag: '1.0', n: 1 });
  });

  it('applies a batch atomically: a failing statement leaves the earlier ones unapplied', async () => {
    await t.adapter.execute("INSERT INTO items (name) VALUES ('taken')");
    await expect(
      t.adapter.batch([
        { sql: 'INSERT INTO items (name) VALUES (?)', params: ['first'] },
        { sql: 'INSERT INTO items (name) VALUES (?)', params: ['taken'] },
      ]),
    ).rejects.toMatchObject({ code: 'CONSTRAINT_VIOLATION', dialect: 'd1' });
    expect(await t.adapter.first("SELECT id FROM items WHERE name = 'first'")).toBeUndefined();
  });

  it('round-trips blobs from Buffer slices and numbered placeholders as Uint8Array', async () => {
    const pool = Buffer.from([9, 1, 2, 3, 255, 9]);
    await t.adapter.execute('INSERT INTO items (data, name) VALUES (?2, ?1)', ['blob', pool.subarray(1, 5)]);
    const row = await t.adapter.first<{ data: unknown; kind: string }>("SELECT data, typeof(data) AS kind FROM items WHERE name = 'blob'");
    expect(row?.kind).toBe('blob');
    expect(row?.data).toBeInstanceOf(Uint8Array);
    expect(Array.from(row!.data as Uint8Array)).toEqual([1, 2, 3, 255]);
  });

  it('refuses BEGIN with an UnsupportedError that points to batch()', async () => {
    await expect(t.adapter.execute('BEGIN')).rejects.toMatchObject({ code: 'UNSUPPORTED', message: expect.stringMatching(/batch\(/) });
  });

  it('leaves D1 and Cloudflare internal tables out of introspect()', async () => {
    await t.adapter.execute("CREATE TABLE pairs (a INTEGER NOT NULL, b TEXT NOT NULL DEFAULT 'x', PRIMARY KEY (a, b))");
    await t.adapter.execute('CREATE INDEX pairs_b ON pairs (b)');
    const tables = await t.adapter.introspect();
    expect(tables.map((x) => x.name)).toEqual(['items', 'pairs']);
    const pairs = tables.find((x) => x.name === 'pairs')!;
    expect(pairs.primaryKey).toEqual(['a', 'b']);
    expect(pairs.columns.find((c) => c.name === 'b')?.defaultValue).toBe("'x'");
    expect(pairs.indexes).toEqual([{ name: 'pairs_b', columns: ['b'], unique: false }]);
  });
});
