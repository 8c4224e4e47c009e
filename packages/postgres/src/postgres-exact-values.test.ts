import { JsonNumber, PreciseDate, jsonSourceOf, normalizeValue, valuesEqual } from '@switchyard/core';
import { createTestDatabase } from '@switchyard/testkit';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createPostgresAdapter } from './postgres-create';
import type { PostgresAdapter } from './postgres-adapter';

const database = await createTestDatabase();
let adapter: PostgresAdapter;
const us = { timestampPrecision: 'us' } as const;

beforeAll(async () => {
  adapter = createPostgresAdapter(database.url, { max: 2 });
  await adapter.execute('CREATE TABLE exact (id int PRIMARY KEY, tz timestamptz, ts timestamp, doc jsonb, j json)');
});
afterAll(async () => {
  await adapter.close();
  await database.drop();
});

describe('postgres: values read exactly', () => {
  it('timestamptz and timestamp keep microseconds (.123456 is not .123000)', async () => {
    await adapter.execute("INSERT INTO exact (id, tz, ts) VALUES (1, '2024-01-01 10:00:00.123456+02', '2024-01-01 10:00:00.123456')");
    const row = await adapter.first<{ tz: Date; ts: Date }>('SELECT tz, ts FROM exact WHERE id = 1');
    expect(row!.tz).toBeInstanceOf(PreciseDate);
    expect(normalizeValue(row!.tz, 'timestamp', us)).toBe('2024-01-01T08:00:00.123456Z');
    expect(normalizeValue(row!.ts, 'timestamp', us)).toBe('2024-01-01T10:00:00.123456Z');
    expect(row!.tz.toISOString()).toBe('2024-01-01T08:00:00.123Z');
  });

  it('a PreciseDate written back keeps its microseconds, also as a keyset bound', async () => {
    const row = await adapter.first<{ tz: Date }>('SELECT tz FROM exact WHERE id = 1');
    await adapter.execute('INSERT INTO exact (id, tz, ts) VALUES (2, ?, ?)', [row!.tz, row!.tz]);
    const same = await adapter.first<{ n: number }>('SELECT count(*)::int AS n FROM exact WHERE tz = ?', [row!.tz]);
    expect(same!.n).toBe(2);
    const after = await adapter.query('SELECT id FROM exact WHERE tz > ?', [row!.tz]);
    expect(after).toEqual([]);
  });

  it('Postgres 44 BC and year 10000 are read and written exactly', async () => {
    await adapter.execute("INSERT INTO exact (id, tz, ts) VALUES (3, '0044-03-15 12:00:00.5+00 BC', '10000-01-01 00:00:00.000001')");
    const row = await adapter.first<{ tz: Date; ts: Date }>('SELECT tz, ts FROM exact WHERE id = 3');
    expect(row!.tz.getUTCFullYear()).toBe(-43);
    expect(normalizeValue(row!.ts, 'timestamp', us)).toBe('+010000-01-01T00:00:00.000001Z');
    await adapter.execute('INSERT INTO exact (id, tz, ts) VALUES (4, ?, ?)', [row!.tz, row!.ts]);
    const copies = await adapter.first<{ n: number }>(
      'SELECT count(*)::int AS n FROM exact a JOIN exact b ON a.tz = b.tz AND a.ts = b.ts WHERE a.id = 3 AND b.id = 4',
    );
    expect(copies!.n).toBe(1);
  });

  it('json and jsonb numbers a double would round keep their text', async () => {
    await adapter.execute(
      `INSERT INTO exact (id, doc, j) VALUES (5, '{"id":9007199254740993,"amount":12345678901234567.89}', '[9007199254740993]')`,
    );
    const row = await adapter.first<{ doc: Record<string, unknown>; j: unknown[] }>('SELECT doc, j FROM exact WHERE id = 5');
    expect(jsonSourceOf(row!.doc)).toContain('9007199254740993');
    expect(normalizeValue(row!.doc, 'json')).toEqual({ json: '{"amount":12345678901234567.89,"id":9007199254740993}' });
    expect(jsonSourceOf(row!.j)).toBe('[9007199254740993]');
    await adapter.execute('INSERT INTO exact (id, doc) VALUES (6, ?)', [jsonSourceOf(row!.doc)]);
    const same = await adapter.first<{ n: number }>(
      'SELECT count(*)::int AS n FROM exact a, exact b WHERE a.id = 5 AND b.id = 6 AND a.doc = b.doc',
    );
    expect(same!.n).toBe(1);
  });

  it('a json document keeps its text (key order, repeated keys, spacing); a jsonb one where a number would be written otherwise', async () => {
    await adapter.execute(`INSERT INTO exact (id, doc, j) VALUES (11, '{"price": 10.50, "tiny": 0.0000001}', '{"b": 1,  "a": 2, "a": 3}')`);
    const row = await adapter.first<{ doc: Record<string, unknown>; j: Record<string, unknown> }>('SELECT doc, j FROM exact WHERE id = 11');
    expect(row!.j).toEqual({ b: 1, a: 3 });
    expect(jsonSourceOf(row!.j)).toBe('{"b": 1,  "a": 2, "a": 3}');
    expect(jsonSourceOf(row!.doc)).toBe('{"tiny": 0.0000001, "price": 10.50}');
    await adapter.execute('INSERT INTO exact (id, doc, j) VALUES (12, ?, ?)', [row!.doc, row!.j]);
    const back = await adapter.first<{ doc: string; j: string }>('SELECT doc::text AS doc, j::text AS j FROM exact WHERE id = 12');
    expect(back).toEqual({ doc: '{"tiny": 0.0000001, "price": 10.50}', j: '{"b": 1,  "a": 2, "a": 3}' });
    const plain = await adapter.first<{ doc: object }>(`SELECT '{"a": 1.5}'::jsonb AS doc`);
    expect(jsonSourceOf(plain!.doc)).toBeUndefined();
  });

  it('a document read with its text kept, changed by the app and written back, is written as changed', async () => {
    // A 16-digit run anywhere (a card number in a string) keeps the text too.
    await adapter.execute(
      `INSERT INTO exact (id, doc, j) VALUES (10, '{"big": 9007199254740993, "name": "x"}', '{"card": "4111111111111111", "n": 1}')`,
    );
    const row = await adapter.first<{ doc: Record<string, unknown>; j: Record<string, unknown> }>('SELECT doc, j FROM exact WHERE id = 10');
    expect(jsonSourceOf(row!.j)).toBeDefined();
    row!.doc.name = 'y';
    row!.j.n = 2;
    await adapter.execute('UPDATE exact SET doc = ?, j = ? WHERE id = 10', [row!.doc, row!.j]);
    const back = await adapter.first<{ doc: string; j: string }>('SELECT doc::text AS doc, j::text AS j FROM exact WHERE id = 10');
    // The unchanged big number is the app's double now: what JavaScript holds is what it wrote.
    expect(back).toEqual({ doc: '{"big": 9007199254740992, "name": "y"}', j: '{"card":"4111111111111111","n":2}' });
    const unchanged = await adapter.first<{ doc: Record<string, unknown> }>('SELECT doc FROM exact WHERE id = 5');
    await adapter.execute('UPDATE exact SET doc = ? WHERE id = 10', [unchanged!.doc]);
    const kept = await adapter.first<{ doc: string }>('SELECT doc::text AS doc FROM exact WHERE id = 10');
    expect(kept!.doc).toContain('9007199254740993');
  });

  it('a json/jsonb document that is a bare number a double rounds reads as a JsonNumber, and writes back exactly', async () => {
    await adapter.execute(`INSERT INTO exact (id, doc, j) VALUES (7, '12345678901234567890.5', '9007199254740993'), (8, '1.5', '2')`);
    const rows = await adapter.query<{ doc: unknown; j: unknown }>('SELECT doc, j FROM exact WHERE id IN (7, 8) ORDER BY id');
    expect(rows[0]!.doc).toBeInstanceOf(JsonNumber);
    expect(String(rows[0]!.doc)).toBe('12345678901234567890.5');
    expect(String(rows[0]!.j)).toBe('9007199254740993');
    expect(valuesEqual(rows[0]!.j, '9007199254740992', 'json')).toBe(false);
    expect(rows[1]).toEqual({ doc: 1.5, j: 2 });
    await adapter.execute('INSERT INTO exact (id, doc, j) VALUES (9, ?, ?)', [rows[0]!.doc, rows[0]!.j]);
    const back = await adapter.first<{ doc: string; j: string }>('SELECT doc::text AS doc, j::text AS j FROM exact WHERE id = 9');
    expect(back).toEqual({ doc: '12345678901234567890.5', j: '9007199254740993' });
  });
});
