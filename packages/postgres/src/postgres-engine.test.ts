import { ConstraintError, ParameterError, PostgresArray, QueryError } from '@switchyard/core';
import { createTestDatabase } from '@switchyard/testkit';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { PostgresAdapter } from './postgres-adapter';
import { createPostgresAdapter } from './postgres-create';

const database = await createTestDatabase();
let adapter: PostgresAdapter;

beforeAll(() => {
  adapter = createPostgresAdapter(database.url, { max: 4 });
});
afterAll(async () => {
  await adapter.close();
  await database.drop();
});

describe('postgres placeholders', () => {
  it('leaves ? inside string literals, quoted identifiers and comments alone', async () => {
    const row = await adapter.first(
      `SELECT '?' AS lit, E'it\\'s ?' AS esc, t."we?ird" AS ident, ? ::int AS n /* ? */ -- ?
       FROM (SELECT 'x' AS "we?ird") t WHERE 1 = ?`,
      [7, 1],
    );
    expect(row).toEqual({ lit: '?', esc: "it's ?", ident: 'x', n: 7 });
  });

  it('leaves ? inside dollar-quoted function bodies alone', async () => {
    await adapter.execute(`CREATE FUNCTION sy_ask(x text) RETURNS text AS $fn$ SELECT 'why?' || $1 || $$?$$ $fn$ LANGUAGE sql`);
    expect(await adapter.first('SELECT sy_ask(?) AS v', [' not '])).toEqual({ v: 'why? not ?' });
  });

  it('passes hand-written $n through and rejects mixing both styles', async () => {
    expect(await adapter.first('SELECT $1::int + $2::int AS s', [1, 2])).toEqual({ s: 3 });
    await expect(adapter.query('SELECT $1::int + ?::int', [1, 2])).rejects.toBeInstanceOf(ParameterError);
    await expect(adapter.query('SELECT ?::int + ?::int', [1])).rejects.toThrow(/2 placeholders but 1 parameters/);
  });
});

describe('postgres values', () => {
  it('reads int8 and numeric exactly', async () => {
    await adapter.execute('CREATE TABLE sy_exact (id bigint PRIMARY KEY, amount numeric(40,20), small int2)');
    await adapter.execute('INSERT INTO sy_exact VALUES (?, ?, ?), (?, ?, ?)', [
      9223372036854775807n,
      '12345678901234567890.12345678901234567890',
      7,
      -9223372036854775808n,
      '0.00000000000000000001',
      -7,
    ]);
    const rows = await adapter.query('SELECT id, amount, small FROM sy_exact ORDER BY id');
    expect(rows).toEqual([
      { id: -9223372036854775808n, amount: '0.00000000000000000001', small: -7 },
      { id: 9223372036854775807n, amount: '12345678901234567890.12345678901234567890', small: 7 },
    ]);
    expect(await adapter.first('SELECT count(*) AS n, 2::int8 ^ 53 AS f, (2::int8 ^ 53)::int8 + 1 AS big FROM sy_exact')).toEqual({
      n: 2,
      f: 9007199254740992,
      big: 9007199254740993n,
    });
  });

  it('sends JSON arrays and objects as JSON, not as Postgres arrays', async () => {
    await adapter.execute('CREATE TABLE sy_json (id int PRIMARY KEY, doc jsonb, raw json)');
    const doc = [1, 'two', { three: [3], nested: { ok: true } }];
    await adapter.execute('INSERT INTO sy_json VALUES (?, ?, ?)', [1, doc, { list: [] }]);
    expect(await adapter.first('SELECT doc, raw, jsonb_typeof(doc) AS kind FROM sy_json')).toEqual({
      doc,
      raw: { list: [] },
      kind: 'array',
    });
    // The same array where Postgres wants one of its own: the error says how to bind it.
    await expect(adapter.query('SELECT 1 WHERE 1 = any(?)', [[1, 2]])).rejects.toThrow(/bind PostgresArray\.from\(\[\.\.\.\]\)/);
    expect(await adapter.query('SELECT 1 AS one WHERE 1 = any(?)', [PostgresArray.from([1, 2])])).toEqual([{ one: 1 }]);
  });

  it('writes and reads timestamps as the same instant in any process time zone, dates as text', async () => {
    await adapter.execute('CREATE TABLE sy_time (id int PRIMARY KEY, at timestamp, atz timestamptz, day date)');
    const at = new Date('2024-02-29T23:30:00.123Z');
    const tz = process.env.TZ;
    process.env.TZ = 'America/New_York';
    try {
      await adapter.execute('INSERT INTO sy_time VALUES (1, ?, ?, ?)', [at, at, '2024-02-29']);
      const row = await adapter.first<{ at: Date; atz: Date; day: string; wall: string }>(
        "SELECT at, atz, day, to_char(at, 'YYYY-MM-DD HH24:MI') AS wall FROM sy_time",
      );
      expect(row?.at.toISOString()).toBe(at.toISOString());
      expect(row?.atz.toISOString()).toBe(at.toISOString());
      expect(row?.wall).toBe('2024-02-29 23:30');
      expect(row?.day).toBe('2024-02-29');
    } finally {
      if (tz === undefined) delete process.env.TZ;
      else process.env.TZ = tz;
    }
  });

  it('reads bytea as Buffer and booleans as booleans', async () => {
    const row = await adapter.first('SELECT ?::bytea AS b, ?::boolean AS t', [new Uint8Array([0, 255, 1]), true]);
    expect(row).toEqual({ b: Buffer.from([0, 255, 1]), t: true });
  });
});

describe('postgres writes and errors', () => {
  it('reports rowsAffected, RETURNING rows and lastInsertId', async () => {
    await adapter.execute('CREATE TABLE sy_ids (id serial PRIMARY KEY, name text UNIQUE)');
    const first = await adapter.execute('INSERT INTO sy_ids (name) VALUES (?), (?) RETURNING id', ['a', 'b']);
    expect(first).toEqual({ rowsAffected: 2, lastInsertId: 2, rows: [{ id: 1 }, { id: 2 }] });
    expect(await adapter.execute('UPDATE sy_ids SET name = name || ?', ['!'])).toEqual({ rowsAffected: 2 });
    expect(await adapter.execute('SELECT * FROM sy_ids')).toMatchObject({ rowsAffected: 0 });
  });

  it('types errors by SQLSTATE and names the statement', async () => {
    const error = await adapter.execute('INSERT INTO sy_ids (id, name) VALUES (1, ?)', ['dup']).catch((e) => e);
    expect(error).toBeInstanceOf(ConstraintError);
    expect(error.sql).toBe('INSERT INTO sy_ids (id, name) VALUES (1, ?)');
    expect(error.cause.code).toBe('23505');
    const syntax = await adapter.query('SELEC 1').catch((e) => e);
    expect(syntax).toBeInstanceOf(QueryError);
    expect(syntax.message).toMatch(/syntax error.*SQLSTATE 42601/);
  });

  it('pipelines a large batch in one transaction and throws the failing statement on error', async () => {
    await adapter.execute('CREATE TABLE sy_batch (id int PRIMARY KEY, v text)');
    const statements = Array.from({ length: 2000 }, (_, i) => ({ sql: 'INSERT INTO sy_batch VALUES (?, ?)', params: [i, `v${i}`] }));
    const results = await adapter.batch(statements);
    expect(results).toHaveLength(2000);
    expect(results.every((r) => r.rowsAffected === 1)).toBe(true);

    const failing = [
      { sql: 'INSERT INTO sy_batch VALUES (?, ?)', params: [5000, 'new'] },
      { sql: 'UPDATE sy_batch SET v = ? WHERE id = ?', params: ['changed', 1] },
      { sql: 'INSERT INTO sy_batch (id, v) VALUES (?, ?)', params: [3, 'duplicate'] },
      { sql: 'INSERT INTO sy_batch VALUES (?, ?)', params: [5001, 'after'] },
    ];
    const error = await adapter.batch(failing).catch((e) => e);
    expect(error).toBeInstanceOf(ConstraintError);
    expect(error.sql).toBe('INSERT INTO sy_batch (id, v) VALUES (?, ?)');
    expect(await adapter.first('SELECT count(*) AS n, max(id) AS top FROM sy_batch')).toEqual({ n: 2000, top: 1999 });
    expect(await adapter.first('SELECT v FROM sy_batch WHERE id = 1')).toEqual({ v: 'v1' });
  });

  it('reports a constraint checked at COMMIT and leaves the connection out of any transaction', async () => {
    await adapter.execute('CREATE TABLE sy_deferred (id int, CONSTRAINT sy_deferred_u UNIQUE (id) DEFERRABLE INITIALLY DEFERRED)');
    const error = await adapter
      .batch([
        { sql: 'INSERT INTO sy_deferred VALUES (?)', params: [1] },
        { sql: 'INSERT INTO sy_deferred VALUES (?)', params: [1] },
      ])
      .catch((e) => e);
    expect(error).toBeInstanceOf(ConstraintError);
    expect(error.sql).toBe('COMMIT');
    await Promise.all(Array.from({ length: 8 }, (_, i) => adapter.execute('INSERT INTO sy_deferred VALUES (?)', [10 + i])));
    const statuses = await Promise.all(
      Array.from({ length: 8 }, () => adapter.first<{ tx: unknown }>('SELECT txid_current_if_assigned() AS tx')),
    );
    expect(statuses.every((row) => row?.tx === null)).toBe(true);
    expect(await adapter.first('SELECT count(*) AS n FROM sy_deferred')).toEqual({ n: 8 });
  });

  it('runs a batch inside a transaction through a savepoint', async () => {
    await adapter.transaction(async (tx) => {
      await tx.execute('INSERT INTO sy_batch VALUES (?, ?)', [9000, 'tx']);
      await expect(
        tx.batch([
          { sql: 'INSERT INTO sy_batch VALUES (?, ?)', params: [9001, 'b'] },
          { sql: 'INSERT INTO sy_batch VALUES (?, ?)', params: [9000, 'dup'] },
        ]),
      ).rejects.toBeInstanceOf(ConstraintError);
      const [row] = await tx.batch([{ sql: 'SELECT count(*) AS n FROM sy_batch WHERE id >= ?', params: [9000] }]);
      expect(row?.rows).toEqual([{ n: 1 }]);
    });
    expect(await adapter.first('SELECT count(*) AS n FROM sy_batch WHERE id >= 9000')).toEqual({ n: 1 });
  });
});

describe('postgres introspect', () => {
  it('reports serial and identity columns, composite keys, indexes, foreign keys and schemas', async () => {
    await adapter.batch([
      { sql: 'CREATE SCHEMA sy_other' },
      { sql: 'CREATE TABLE sy_other.accounts (id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY, email text NOT NULL)' },
      {
        sql: `CREATE TABLE sy_members (
          org_id bigserial, account_id bigint REFERENCES sy_other.accounts (id) ON DELETE CASCADE,
          role varchar(20) NOT NULL DEFAULT 'member', joined timestamp(3) with time zone, tags text[],
          PRIMARY KEY (account_id, org_id))`,
      },
      { sql: 'CREATE UNIQUE INDEX sy_members_role_lower ON sy_members (lower(role), org_id)' },
      { sql: 'CREATE TABLE "_cf_KV" (key text PRIMARY KEY)' },
      { sql: 'CREATE TABLE d1_migrations (id int)' },
    ]);
    const scoped = createPostgresAdapter(database.url, { schema: ['public', 'sy_other'], max: 1 });
    try {
      const tables = await scoped.introspect();
      const names = tables.map((t) => `${t.schema}.${t.name}`);
      expect(names).toContain('sy_other.accounts');
      expect(names).not.toContain('public._cf_KV');
      expect(names).not.toContain('public.d1_migrations');
      const members = tables.find((t) => t.name === 'sy_members')!;
      expect(members.primaryKey).toEqual(['account_id', 'org_id']);
      expect(members.columns.map((c) => [c.name, c.declaredType, c.logicalType, c.nullable, c.autoIncrement])).toEqual([
        ['org_id', 'bigint', 'integer', false, true],
        ['account_id', 'bigint', 'integer', false, false],
        ['role', 'character varying(20)', 'text', false, false],
        ['joined', 'timestamp(3) with time zone', 'timestamp', true, false],
        ['tags', 'text[]', 'json', true, false],
      ]);
      expect(members.columns.find((c) => c.name === 'role')?.defaultValue).toBe("'member'::character varying");
      // Expression keys come back as the expression; its exact printing varies across server versions.
      expect(members.indexes).toEqual([
        { name: 'sy_members_role_lower', columns: [expect.stringMatching(/^lower\(/), 'org_id'], unique: true },
      ]);
      expect(members.foreignKeys).toEqual([
        {
          columns: ['account_id'],
          referencedTable: 'sy_other.accounts',
          referencedColumns: ['id'],
          onDelete: 'CASCADE',
          onUpdate: 'NO ACTION',
        },
      ]);
      const accounts = tables.find((t) => t.name === 'accounts')!;
      expect(accounts.columns[0]).toMatchObject({ name: 'id', autoIncrement: true, nullable: false });
      // The default adapter reads only the public schema.
      expect((await adapter.introspect()).some((t) => t.schema === 'sy_other')).toBe(false);
    } finally {
      await scoped.close();
    }
  });

  it('reports a partitioned table once, with its partitions at every level, and the tables that inherit one', async () => {
    await adapter.batch([
      { sql: 'CREATE TABLE sy_events (id bigint, at date, PRIMARY KEY (id, at)) PARTITION BY RANGE (at)' },
      { sql: "CREATE TABLE sy_events_2025 PARTITION OF sy_events FOR VALUES FROM ('2025-01-01') TO ('2026-01-01')" },
      { sql: "CREATE TABLE sy_events_2026 PARTITION OF sy_events FOR VALUES FROM ('2026-01-01') TO ('2027-01-01') PARTITION BY HASH (id)" },
      { sql: 'CREATE TABLE sy_events_2026_h0 PARTITION OF sy_events_2026 FOR VALUES WITH (MODULUS 1, REMAINDER 0)' },
      // Inheritance without partitioning: a child table is a table of its own.
      { sql: 'CREATE TABLE sy_base (id int PRIMARY KEY)' },
      { sql: 'CREATE TABLE sy_derived (note text) INHERITS (sy_base)' },
      { sql: 'CREATE TABLE sy_derived_more (more text) INHERITS (sy_derived)' },
    ]);
    const tables = await adapter.introspect();
    const names = tables.map((t) => t.name);
    expect(names.filter((n) => n.startsWith('sy_events'))).toEqual(['sy_events']);
    const events = tables.find((t) => t.name === 'sy_events')!;
    expect(events.primaryKey).toEqual(['id', 'at']);
    expect(events.partitions).toEqual(['sy_events_2025', 'sy_events_2026', 'sy_events_2026_h0']);
    expect(names).toEqual(expect.arrayContaining(['sy_base', 'sy_derived']));
    expect(tables.find((t) => t.name === 'sy_base')).not.toHaveProperty('partitions');
    // A read of sy_base without ONLY returns the rows of every level below it.
    expect(tables.find((t) => t.name === 'sy_base')?.inheritedBy).toEqual(['sy_derived', 'sy_derived_more']);
    expect(tables.find((t) => t.name === 'sy_derived_more')).not.toHaveProperty('inheritedBy');
    expect(events).not.toHaveProperty('inheritedBy');
  });

  it('reports the type a domain is built on, through a domain over a domain, and the logical type of that', async () => {
    await adapter.batch([
      { sql: 'CREATE DOMAIN sy_money AS numeric(12,2)' },
      { sql: 'CREATE DOMAIN sy_price AS sy_money CHECK (VALUE > 0)' },
      { sql: 'CREATE DOMAIN sy_doc AS jsonb' },
      { sql: 'CREATE DOMAIN sy_at AS timestamp with time zone' },
      { sql: 'CREATE DOMAIN sy_tags AS text[]' },
      {
        sql: 'CREATE TABLE sy_domains (id integer PRIMARY KEY, price sy_price, doc sy_doc, at sy_at, tags sy_tags, plain text, list sy_doc[])',
      },
    ]);
    const table = (await adapter.introspect()).find((t) => t.name === 'sy_domains')!;
    const column = (name: string) => table.columns.find((c) => c.name === name)!;
    expect(column('price')).toMatchObject({ declaredType: 'sy_price', baseType: 'numeric(12,2)', logicalType: 'numeric' });
    expect(column('doc')).toMatchObject({ declaredType: 'sy_doc', baseType: 'jsonb', logicalType: 'json' });
    expect(column('at')).toMatchObject({ declaredType: 'sy_at', baseType: 'timestamp with time zone', logicalType: 'timestamp' });
    expect(column('tags')).toMatchObject({ declaredType: 'sy_tags', baseType: 'text[]', logicalType: 'json' });
    // Columns of other types, an array of a domain among them, carry none.
    expect(column('plain')).not.toHaveProperty('baseType');
    expect(column('list')).toMatchObject({ declaredType: 'sy_doc[]', logicalType: 'json' });
    expect(column('list')).not.toHaveProperty('baseType');
  });
});
