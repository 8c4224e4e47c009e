import { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import pg from 'pg';
import { from as copyFrom } from 'pg-copy-streams';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestDatabase, type TestDatabase } from '@switchyard/testkit/postgres-server';
import { switchyard } from '../test/binary-run';

const DDL = 'CREATE TABLE events (at timestamptz PRIMARY KEY, r float8, t text, b bytea, doc jsonb)';
let source: TestDatabase;
let restored: TestDatabase;

async function withClient<T>(url: string, fn: (client: pg.Client) => Promise<T>): Promise<T> {
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  try {
    return await fn(client);
  } finally {
    await client.end();
  }
}

// Every value as Postgres prints it, so the comparison is Postgres' own, digit for digit.
const snapshot = (url: string) =>
  withClient(
    url,
    async (c) =>
      (await c.query("SELECT at::text, r::text, t IS NULL AS null_t, t, encode(b, 'hex') AS b, doc::text FROM events ORDER BY at")).rows,
  );

// Loads an export into a fresh events table of the second database.
async function restore(load: (client: pg.Client) => Promise<unknown>): Promise<void> {
  await withClient(restored.url, async (c) => {
    await c.query('DROP TABLE IF EXISTS events');
    await c.query(DDL);
    await load(c);
  });
}

beforeAll(async () => {
  source = await createTestDatabase();
  restored = await createTestDatabase();
  await withClient(source.url, async (c) => {
    await c.query(DDL);
    await c.query(`INSERT INTO events VALUES
      ('2024-01-01 00:00:00.000001+00', 'Infinity', '', '\\x00ff', '{"id":9007199254740993}'),
      ('2024-01-01 00:00:00.000002+00', '-Infinity', NULL, NULL, '{"amount":12345678901234567.89}'),
      ('2024-01-01 00:00:00.123456+00', 'NaN', 'a,"b"', '\\x', '[1.5, 2]'),
      ('2024-01-01 00:00:00.123457+00', '-0', 'line\nbreak', '\\x0a', NULL),
      ('0044-03-15 12:00:00.5+00 BC', '0.1', ' trailing ', NULL, '{}'),
      ('2024-01-02 00:00:00+00', '1', 'doc', NULL, 'null'),
      ('2024-01-03 00:00:00+00', '2', 'scale', NULL, '1.50'),
      ('2024-01-04 00:00:00+00', '3', 'string', NULL, '"it''s"')`);
  });
});

afterAll(async () => {
  await source?.drop();
  await restored?.drop();
});

describe('switchyard export round-trips every value', () => {
  it('pages exactly on a timestamptz key with microseconds (--page-size 2 ends, every row once)', async () => {
    const run = await switchyard(['export', source.url, 'events', '--format', 'jsonl', '--page-size', '2']);
    expect(run.code, run.stderr).toBe(0);
    const lines = run.stdout.trim().split('\n');
    expect(lines).toHaveLength(8);
    const first = lines.find((l) => l.includes('00:00:00.000001Z'))!;
    expect(first).toContain('9007199254740993');
    expect(first).toContain('"r":"Infinity"');
    expect(lines.join('\n')).toContain('2024-01-01T00:00:00.123456Z');
  });

  // A bare JSON document (the document null, 1.50, a string) once went as the value pg reads: SQL NULL, 1.5, and text that is not JSON.
  it('--format sql keeps ±Infinity, NaN, µs timestamps, BC dates, blobs, big JSON numbers and bare JSON documents', async () => {
    const run = await switchyard(['export', source.url, 'events', '--format', 'sql', '--page-size', '2']);
    expect(run.code, run.stderr).toBe(0);
    await restore((c) => c.query(run.stdout));
    expect(await snapshot(restored.url)).toEqual(await snapshot(source.url));
  });

  it("--format csv writes NULL and '' apart, as psql does, and loads back with COPY ... CSV", async () => {
    const run = await switchyard(['export', source.url, 'events', '--format', 'csv', '--page-size', '2']);
    expect(run.code, run.stderr).toBe(0);
    await restore((c) => pipeline(Readable.from([run.stdout]), c.query(copyFrom('COPY events FROM STDIN WITH (FORMAT csv, HEADER true)'))));
    expect(await snapshot(restored.url)).toEqual(await snapshot(source.url));
  });
});
