import type { DatabaseAdapter } from '@switchyard/core';
import { createPostgresAdapter } from '@switchyard/postgres';
import { afterAll, beforeAll } from 'vitest';
import { twoTestDatabases } from './two-databases';

/**
 * A Postgres table with the types replication gets wrong (numeric, -0 and NaN doubles,
 * intervals, arrays with NULLs, odd JSON text, bytes, enums, domains, inet), and rows of
 * edge values for it, as SQL text the server casts.
 */

/** The enum and domain the table uses, once per database. */
export const TYPES = [`CREATE TYPE mood AS ENUM ('sad', 'ok', 'happy')`, 'CREATE DOMAIN posint AS integer CHECK (VALUE > 0)'];

/** (Re)creates the table `kinds`; its defaults are constants, so two runs make the same rows. */
export const KINDS = [
  'DROP TABLE IF EXISTS kinds',
  `CREATE TABLE kinds (
    id bigserial PRIMARY KEY, "Name" text, n numeric(12,2), f double precision, r real, b boolean,
    at timestamptz(3) DEFAULT '2020-01-01 00:00:00.123+00', ts timestamp, d date, tm time, iv interval, u uuid DEFAULT '00000000-0000-4000-8000-000000000001',
    j json, jb jsonb, ia integer[], ta text[], bin bytea, m mood, p posint, ip inet, big bigint)`,
];

/** An insert of one row of {@link VALUES}. */
export const INSERT =
  'INSERT INTO kinds ("Name", n, f, r, b, ts, d, tm, iv, j, jb, ia, ta, bin, m, p, ip, big) VALUES ' +
  '(?, ?::numeric, ?::float8, ?::real, ?::boolean, ?::timestamp, ?::date, ?::time, ?::interval, ?::json, ?::jsonb, ' +
  '?::int[], ?::text[], ?::bytea, ?::mood, ?::posint, ?::inet, ?::bigint)';

/** Rows with the values engines and drivers get wrong: quotes, precision, NaN, -0, odd JSON text, arrays with NULLs. */
export const VALUES: string[][] = [
  [
    'it\'s \\ "quoted"\nline',
    '1234567890.12',
    '0.1',
    '3.4028235e38',
    'true',
    '2024-02-29 23:59:59.999999',
    '2024-02-29',
    '23:59:59.5',
    '1 year 2 mons 3 days 04:05:06.789',
    '{"b":1,  "a":[1,2], "a":3}',
    '{"z": {"y": [true, null]}}',
    '{1,NULL,3}',
    '{"a\\"b",NULL,"c,d",""}',
    '\\x00ff10',
    'happy',
    '7',
    '192.168.0.1/24',
    '9007199254740993',
  ],
  [
    'héllo ✓ 😀',
    '-0.01',
    '-0',
    '1e-45',
    'false',
    '1970-01-01 00:00:00',
    '0001-01-01',
    '00:00:00',
    '-1 days +02:00:00',
    // A string document that reads like JSON: it once reached the secondary as the null document.
    '"null"',
    '[]',
    '{}',
    '{}',
    '\\x',
    'sad',
    '1',
    '::1',
    '-9223372036854775808',
  ],
  [
    '',
    '0',
    'NaN',
    'Infinity',
    'true',
    '2262-04-11 23:47:16.854775',
    '9999-12-31',
    '12:34:56.123456',
    '0 seconds',
    '"text"',
    '1.5',
    '{-2147483648}',
    '{NULL}',
    '\\xdeadbeef',
    'ok',
    '2147483647',
    '10.0.0.0/8',
    '0',
  ],
  [
    'last',
    '9999999999.99',
    '-Infinity',
    '-0',
    'false',
    '2000-01-01 00:00:00.000001',
    '2000-01-01',
    '24:00:00',
    '1 microsecond',
    '{}',
    '{"a": 1e400}',
    '{{1,2},{3,NULL}}',
    '{"\\\\"}',
    '\\x5c',
    'happy',
    '3',
    '2001:db8::/32',
    '1',
  ],
];

/** The two adapters of {@link usePostgresPair}, read once its `beforeAll` hooks have run. */
export interface PostgresPair {
  readonly primary: DatabaseAdapter;
  readonly secondary: DatabaseAdapter;
}

/**
 * Registers hooks that give the test file two Postgres databases, each with {@link TYPES}
 * and (with `withTable`) the table, and an adapter on each; both are closed and dropped after.
 */
export function usePostgresPair(withTable: boolean): PostgresPair {
  const dbs = twoTestDatabases();
  let pair: PostgresPair | undefined;
  beforeAll(async () => {
    const primary = createPostgresAdapter(dbs.database.url, { name: 'pg-primary' });
    const secondary = createPostgresAdapter(dbs.other.url, { name: 'pg-secondary' });
    pair = { primary, secondary };
    for (const a of [primary, secondary]) for (const sql of withTable ? [...TYPES, ...KINDS] : TYPES) await a.execute(sql);
  });
  // Registered after the databases' own hooks, so it runs before they are dropped.
  afterAll(async () => {
    await pair?.primary.close();
    await pair?.secondary.close();
  });
  return {
    get primary() {
      return pair!.primary;
    },
    get secondary() {
      return pair!.secondary;
    },
  };
}
