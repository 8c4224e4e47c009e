import pg from 'pg';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { startFaultProxy, type FaultProxy } from './fault-proxy';
import { createTestDatabase, type TestDatabase } from './postgres-server';

describe('startFaultProxy against PostgreSQL', () => {
  let database: TestDatabase;
  let proxy: FaultProxy;
  const clients: pg.Client[] = [];

  beforeAll(async () => {
    database = await createTestDatabase();
    const target = new URL(database.url);
    proxy = await startFaultProxy({ target: { host: target.hostname, port: Number(target.port || 5432) }, dropDelayMs: 100 });
    const direct = new pg.Client({ connectionString: database.url });
    await direct.connect();
    await direct.query('CREATE TABLE events (id int PRIMARY KEY)');
    await direct.end();
  });

  afterEach(() => proxy.setMode('pass'));

  afterAll(async () => {
    for (const client of clients) await client.end().catch(() => {});
    await proxy?.close();
    await database?.drop();
  });

  /** A connected client through the proxy whose late errors are collected rather than thrown. */
  async function connectThroughProxy(): Promise<pg.Client> {
    const client = new pg.Client({ connectionString: proxy.url(database.url), connectionTimeoutMillis: 1000 });
    client.on('error', () => {});
    clients.push(client);
    await client.connect();
    return client;
  }

  it('rewrites a postgres URL to point at the proxy, keeping credentials and database', () => {
    expect(proxy.url('postgres://user:secret@db.example.com:6543/app?sslmode=disable')).toBe(
      `postgres://user:secret@127.0.0.1:${proxy.port}/app?sslmode=disable`,
    );
  });

  it('passes traffic through', async () => {
    const client = await connectThroughProxy();
    expect((await client.query('SELECT 1 + 1 AS two')).rows).toEqual([{ two: 2 }]);
    expect(proxy.connections).toBeGreaterThan(0);
  });

  it('refuses new connections and destroys open ones, then heals', async () => {
    const open = await connectThroughProxy();
    proxy.setMode('refuse');
    await expect(open.query('SELECT 1')).rejects.toThrow();
    await expect(connectThroughProxy()).rejects.toThrow();
    proxy.setMode('pass');
    const healed = await connectThroughProxy();
    expect((await healed.query('SELECT 2 AS n')).rows).toEqual([{ n: 2 }]);
  });

  it('hangs without closing, and resumes held connections on pass', async () => {
    const client = await connectThroughProxy();
    proxy.setMode('hang');
    let settled = false;
    const pending = client.query('SELECT 3 AS n').finally(() => {
      settled = true;
    });
    await new Promise((resolve) => setTimeout(resolve, 300));
    expect(settled).toBe(false);
    // A new connection is accepted but its handshake goes unanswered.
    await expect(connectThroughProxy()).rejects.toThrow(/timeout/i);
    proxy.setMode('pass');
    expect((await pending).rows).toEqual([{ n: 3 }]);
  });

  it('drop-replies: the server runs the statement, the client sees its connection die', async () => {
    const client = await connectThroughProxy();
    proxy.setMode('drop-replies');
    await expect(client.query('INSERT INTO events (id) VALUES (42)')).rejects.toThrow(/terminated/i);
    proxy.setMode('pass');
    const check = await connectThroughProxy();
    expect((await check.query('SELECT id FROM events')).rows).toEqual([{ id: 42 }]);
  });

  it('killConnections ends every open connection', async () => {
    const client = await connectThroughProxy();
    proxy.killConnections();
    await expect(client.query('SELECT 1')).rejects.toThrow();
    expect(proxy.connections).toBe(0);
  });
});
