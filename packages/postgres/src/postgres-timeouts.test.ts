import { QueryError, TimeoutError, TransientError } from '@switchyard/core';
import { createTestDatabase, startFaultProxy, type FaultProxy } from '@switchyard/testkit';
import pg from 'pg';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { createPostgresAdapter } from './postgres-create';

const database = await createTestDatabase();
let proxy: FaultProxy;
let proxiedUrl: string;

beforeAll(async () => {
  const target = new URL(database.url);
  proxy = await startFaultProxy({ target: { host: target.hostname, port: Number(target.port || 5432) }, dropDelayMs: 100 });
  proxiedUrl = proxy.url(database.url);
  const setup = createPostgresAdapter(database.url);
  await setup.execute('CREATE TABLE sy_timeouts (id int PRIMARY KEY)');
  await setup.close();
});
afterEach(() => proxy.setMode('pass'));
afterAll(async () => {
  await proxy?.close();
  await database.drop();
});

describe('postgres adapter timeouts through a faulty network', () => {
  it('rejects a hung statement with a TimeoutError, then recovers once the network heals', async () => {
    const adapter = createPostgresAdapter(proxiedUrl, { max: 2, queryTimeoutMs: 300, connectTimeoutMs: 500 });
    await adapter.first('SELECT 1');
    proxy.setMode('hang');

    const hung = await adapter.execute('INSERT INTO sy_timeouts (id) VALUES (1)').catch((e: unknown) => e);
    expect(hung).toBeInstanceOf(TimeoutError);
    expect(hung).toMatchObject({ code: 'TIMEOUT', phase: 'query', timeoutMs: 300, sql: 'INSERT INTO sy_timeouts (id) VALUES (1)' });
    expect(hung).toBeInstanceOf(TransientError);
    // The hung connection was destroyed, so the next call needs a new one, whose handshake hangs too.
    await expect(adapter.first('SELECT 2')).rejects.toMatchObject({ name: 'TimeoutError', phase: 'connect' });
    await expect(adapter.transaction((tx) => tx.first('SELECT 3'))).rejects.toBeInstanceOf(TimeoutError);

    proxy.setMode('pass');
    expect(await adapter.first<{ n: number }>('SELECT 4 AS n')).toEqual({ n: 4 });
    expect(adapter.pool!.totalCount).toBeLessThanOrEqual(2);
    // Late socket errors from the destroyed connections must not reach the process.
    await new Promise((resolve) => setTimeout(resolve, 200));
    await adapter.close();
  });

  it('bounds each round trip of a transaction and discards its connection', async () => {
    const adapter = createPostgresAdapter(proxiedUrl, { max: 1, queryTimeoutMs: 300 });
    const outcome = adapter.transaction(async (tx) => {
      await tx.execute('INSERT INTO sy_timeouts (id) VALUES (10)');
      proxy.setMode('hang');
      await tx.execute('INSERT INTO sy_timeouts (id) VALUES (11)');
    });
    await expect(outcome).rejects.toMatchObject({ name: 'TimeoutError', phase: 'query' });
    proxy.setMode('pass');
    // Nothing committed, and the single pooled connection was replaced.
    expect(await adapter.query('SELECT id FROM sy_timeouts WHERE id IN (10, 11)')).toEqual([]);
    await adapter.close();
  });

  it('fails fast with a typed connection error when the server refuses', async () => {
    const adapter = createPostgresAdapter(proxiedUrl, { queryTimeoutMs: 5000 });
    proxy.setMode('refuse');
    const refused = await adapter.first('SELECT 1').catch((e: unknown) => e);
    expect(refused).toBeInstanceOf(TransientError);
    expect(refused).not.toBeInstanceOf(TimeoutError);
    proxy.setMode('pass');
    expect(await adapter.first<{ n: number }>('SELECT 5 AS n')).toEqual({ n: 5 });
    await adapter.close();
  });

  it('reports a lost reply as a transient error although the server ran the statement', async () => {
    const adapter = createPostgresAdapter(proxiedUrl, { queryTimeoutMs: 2000 });
    await adapter.first('SELECT 1');
    proxy.setMode('drop-replies');
    await expect(adapter.execute('INSERT INTO sy_timeouts (id) VALUES (20)')).rejects.toBeInstanceOf(TransientError);
    proxy.setMode('pass');
    expect(await adapter.query('SELECT id FROM sy_timeouts WHERE id = 20')).toEqual([{ id: 20 }]);
    await adapter.close();
  });

  it('on a single Client, a timeout ends the connection and later calls fail with a typed error', async () => {
    const client = new pg.Client({ connectionString: proxiedUrl });
    await client.connect();
    const adapter = createPostgresAdapter(client, { queryTimeoutMs: 300 });
    proxy.setMode('hang');
    await expect(adapter.first('SELECT 1')).rejects.toBeInstanceOf(TimeoutError);
    proxy.setMode('pass');
    await expect(adapter.first('SELECT 1')).rejects.toBeInstanceOf(TransientError);
    await adapter.close();
  });
});

describe('statementTimeoutMs', () => {
  const pool = new pg.Pool({ connectionString: database.url, max: 2 });
  afterAll(() => pool.end());
  const sources = {
    pool: () => createPostgresAdapter(pool, { statementTimeoutMs: 200 }),
    'connection string': () => createPostgresAdapter(database.url, { statementTimeoutMs: 200 }),
    client: async () => {
      const client = new pg.Client({ connectionString: database.url });
      await client.connect();
      return createPostgresAdapter(client, { statementTimeoutMs: 200, closePool: true });
    },
  };

  it.each(Object.entries(sources))(
    'has the server cancel a long statement on a %s, leaving the connection usable',
    async (_kind, create) => {
      const adapter = await create();
      expect(await adapter.first('SHOW statement_timeout')).toEqual({ statement_timeout: '200ms' });
      const cancelled = await adapter.first('SELECT pg_sleep(2)').catch((e: unknown) => e);
      expect(cancelled).toBeInstanceOf(QueryError);
      expect((cancelled as Error).message).toMatch(/57014/);
      expect(await adapter.first<{ n: number }>('SELECT 6 AS n')).toEqual({ n: 6 });
      await adapter.close();
    },
  );
});

describe('timeout options', () => {
  it('refuses values that are not whole milliseconds, and connectTimeoutMs on a Pool', () => {
    expect(() => createPostgresAdapter(database.url, { queryTimeoutMs: -1 })).toThrow(/queryTimeoutMs must be a whole number/);
    expect(() => createPostgresAdapter(database.url, { statementTimeoutMs: 1.5 })).toThrow(/statementTimeoutMs/);
    const pool = new pg.Pool({ connectionString: database.url });
    expect(() => createPostgresAdapter(pool, { connectTimeoutMs: 100 })).toThrow(/connectionTimeoutMillis on the Pool or Client/);
    return pool.end();
  });
});
