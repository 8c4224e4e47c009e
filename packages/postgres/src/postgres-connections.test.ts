import { QueryError, TransientError } from '@switchyard/core';
import { createTestDatabase } from '@switchyard/testkit';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createPostgresAdapter } from './postgres-create';

const database = await createTestDatabase();
const pool = new pg.Pool({ connectionString: database.url, max: 3 });
const client = new pg.Client({ connectionString: database.url });
// This file's own pool and client, as an app would keep them: a session the server ends
// (a test below terminates one; dropping the database ends the rest) must not be an unhandled error.
pool.on('error', () => {});
client.on('error', () => {});

beforeAll(async () => {
  await client.connect();
  await pool.query('CREATE TABLE sy_conn (id int PRIMARY KEY, who text)');
});
afterAll(async () => {
  await client.end().catch(() => {});
  await pool.end().catch(() => {});
  await database.drop();
});

const sources = {
  pool: () => createPostgresAdapter(pool),
  client: () => createPostgresAdapter(client),
  'connection string': () => createPostgresAdapter(database.url, { max: 3 }),
};

describe.each(Object.entries(sources))('postgres adapter on a %s', (kind, create) => {
  it('runs queries, concurrent ones included', async () => {
    const adapter = create();
    const results = await Promise.all(
      Array.from({ length: 40 }, (_, i) => adapter.first<{ n: number }>('SELECT ?::int * 2 AS n, pg_sleep(0)', [i])),
    );
    expect(results.map((r) => r?.n)).toEqual(Array.from({ length: 40 }, (_, i) => i * 2));
    expect(adapter.pool === undefined).toBe(kind === 'client');
    await adapter.close();
  });

  it('lends one connection through withConnection', async () => {
    const adapter = create();
    const pid = await adapter.withConnection(async (c) => (await c.query('SELECT pg_backend_pid() AS pid')).rows[0].pid);
    expect(typeof pid).toBe('number');
    await adapter.close();
  });

  it('nests transactions through savepoints and rejects use of an ended transaction', async () => {
    const adapter = create();
    const base = kind.length * 100;
    let escaped: Awaited<Parameters<Parameters<typeof adapter.transaction>[0]>[0]> | undefined;
    await adapter.transaction(async (tx) => {
      escaped = tx;
      await tx.execute('INSERT INTO sy_conn VALUES (?, ?)', [base + 1, kind]);
      await expect(
        tx.transaction(async (inner) => {
          await inner.execute('INSERT INTO sy_conn VALUES (?, ?)', [base + 2, kind]);
          throw new Error('inner fails');
        }),
      ).rejects.toThrow('inner fails');
      await tx.transaction((inner) => inner.execute('INSERT INTO sy_conn VALUES (?, ?)', [base + 3, kind]));
    });
    const rows = await adapter.query<{ id: number }>('SELECT id FROM sy_conn WHERE who = ? ORDER BY id', [kind]);
    expect(rows.map((r) => r.id)).toEqual([base + 1, base + 3]);
    await expect(escaped!.query('SELECT 1')).rejects.toThrow(/transaction has ended/);
    await expect(escaped!.query('SELECT 1')).rejects.toBeInstanceOf(QueryError);
    await adapter.close();
  });

  it('rethrows the callback error unchanged and rolls back', async () => {
    const adapter = create();
    const own = new TypeError('mine');
    const caught = await adapter
      .transaction(async (tx) => {
        await tx.execute('INSERT INTO sy_conn VALUES (?, ?)', [kind.length * 100 + 50, 'rolled back']);
        throw own;
      })
      .catch((e) => e);
    expect(caught).toBe(own);
    expect(await adapter.first("SELECT count(*) AS n FROM sy_conn WHERE who = 'rolled back'")).toEqual({ n: 0 });
    await adapter.close();
  });
});

describe('postgres adapter on a single Client', () => {
  it('serializes: statements from outside wait for an open transaction', async () => {
    const adapter = createPostgresAdapter(client);
    const events: string[] = [];
    let entered!: () => void;
    const inside = new Promise<void>((resolve) => (entered = resolve));
    const tx = adapter.transaction(async (t) => {
      await t.execute('INSERT INTO sy_conn VALUES (?, ?)', [900, 'serial']);
      entered();
      await new Promise((resolve) => setTimeout(resolve, 50));
      events.push('tx done');
      await t.execute('UPDATE sy_conn SET who = ? WHERE id = ?', ['serial committed', 900]);
    });
    await inside;
    const outside = adapter.first('SELECT who FROM sy_conn WHERE id = ?', [900]).then((row) => {
      events.push('outside read');
      return row;
    });
    await tx;
    expect(await outside).toEqual({ who: 'serial committed' });
    expect(events).toEqual(['tx done', 'outside read']);
    await adapter.close();
  });

  it('leaves a Client or Pool passed in open on close(), unless closePool is set', async () => {
    await createPostgresAdapter(client).close();
    await createPostgresAdapter(pool).close();
    expect((await client.query('SELECT 1 AS one')).rows).toEqual([{ one: 1 }]);
    expect((await pool.query('SELECT 1 AS one')).rows).toEqual([{ one: 1 }]);

    const own = new pg.Pool({ connectionString: database.url, max: 1 });
    await createPostgresAdapter(own, { closePool: true }).close();
    expect(own.ending).toBe(true);
  });

  it('does not change the type parsers of a Pool passed in', async () => {
    const adapter = createPostgresAdapter(pool);
    expect(await adapter.first('SELECT 5::int8 AS n')).toEqual({ n: 5 });
    // pg's own default for int8 is a string: the adapter's parsers apply per query only.
    expect((await pool.query('SELECT 5::int8 AS n')).rows).toEqual([{ n: '5' }]);
    await adapter.close();
  });

  it('discards a pool connection that dies inside a transaction, rethrowing a TransientError', async () => {
    const adapter = createPostgresAdapter(pool);
    const error = await adapter
      .transaction(async (tx) => {
        const row = await tx.first<{ pid: number }>('SELECT pg_backend_pid() AS pid');
        await pool.query('SELECT pg_terminate_backend($1)', [row!.pid]);
        await tx.query('SELECT 1');
      })
      .catch((e) => e);
    expect(error).toBeInstanceOf(TransientError);
    expect(error.message).toMatch(/retried/);
    expect(await adapter.first('SELECT 1 AS one')).toEqual({ one: 1 });
    await adapter.close();
  });

  it('keeps a pool connection after a statement error, and reuses it', async () => {
    const small = new pg.Pool({ connectionString: database.url, max: 1 });
    const adapter = createPostgresAdapter(small, { closePool: true });
    const before = await adapter.first<{ pid: number }>('SELECT pg_backend_pid() AS pid');
    await expect(adapter.execute('INSERT INTO sy_conn VALUES (?, ?), (?, ?)', [1, 'a', 1, 'b'])).rejects.toThrow(/SQLSTATE 23505/);
    expect(await adapter.first('SELECT pg_backend_pid() AS pid')).toEqual(before);
    await adapter.close();
  });

  it('types a failure to connect as a TransientError, in queries and transactions alike', async () => {
    const unreachable = new URL(database.url);
    unreachable.port = '1';
    const adapter = createPostgresAdapter(unreachable.toString(), { max: 1 });
    await expect(adapter.query('SELECT 1')).rejects.toBeInstanceOf(TransientError);
    await expect(adapter.transaction(async () => 1)).rejects.toBeInstanceOf(TransientError);
    await adapter.close();
  });
});
