import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { DatabaseAdapter } from '@switchyard/core';
import { createPostgresAdapter } from '@switchyard/postgres';
import { createSQLiteAdapter } from '@switchyard/sqlite';
import { createTestDatabase, type TestDatabase } from '@switchyard/testkit/postgres-server';
import { validateDatabases } from '@switchyard/validation';
import { copyTables } from '../src/index';

/**
 * Postgres types with no counterpart on SQLite (network addresses, bit strings, ranges,
 * geometry, full-text vectors, XML, money, arrays of uuid, jsonb, numeric, real…): a
 * copy to SQLite and to Postgres is equal, and one value changed by the least step on
 * the target (a digit, a bit, a bound, a microsecond) is never reported equal.
 */
// Column, type, value, the value changed on SQLite (as its text), the value changed on Postgres.
const COLUMNS: [string, string, string, string, string][] = [
  ['tz', 'timetz', "'12:34:56.789+05:30'", '12:34:56.789+05:31', "'12:34:56.789+05:31'"],
  ['mo', 'money', "'1234.56'", '$1,234.57', "'1234.57'"],
  ['ci', 'cidr', "'10.0.0.0/8'", '10.0.0.0/9', "'10.0.0.0/9'"],
  ['mac', 'macaddr', "'08:00:2b:01:02:03'", '08:00:2b:01:02:04', "'08:00:2b:01:02:04'"],
  ['bits', 'bit(4)', "B'1010'", '1011', "B'1011'"],
  ['tv', 'tsvector', "'a fat cat'", "'a' 'cat' 'fit'", "'a fit cat'"],
  ['x', 'xml', "'<a>b</a>'", '<a>c</a>', "'<a>c</a>'"],
  ['rng', 'int4range', "'[1,10)'", '[1,11)', "'[1,11)'"],
  ['pt', 'point', "'(1.5,2)'", '(1.5,2.5)', "'(1.5,2.5)'"],
  ['ch', 'char(5)', "'ab'", 'ab  x', "'ab  x'"],
  ['vc', 'varchar(10)', "'abc '", 'abc', "'abc'"],
  [
    'ua',
    'uuid[]',
    "'{00000000-0000-4000-8000-000000000001}'",
    '["00000000-0000-4000-8000-000000000002"]',
    "'{00000000-0000-4000-8000-000000000002}'",
  ],
  ['ja', 'jsonb[]', `ARRAY['{"a":1}'::jsonb]`, '[{"a":2}]', `ARRAY['{"a":2}'::jsonb]`],
  ['na', 'numeric[]', "'{1.50,NaN}'", '["1.51","NaN"]', "'{1.51,NaN}'"],
  ['ba', 'boolean[]', "'{t,f}'", '[true,true]', "'{t,t}'"],
  ['ra', 'real[]', "'{1.5}'", '[1.5000001]', "'{1.5000001}'"],
  ['fa', 'float8[]', "'{0.1}'", '[0.10000000000000002]', "'{0.10000000000000002}'"],
  ['iv', 'interval', "'1 day 00:00:00.000001'", '1 day 00:00:00.000002', "'1 day 00:00:00.000002'"],
  ['tm', 'time', "'10:00:00.000001'", '10:00:00.000002', "'10:00:00.000002'"],
  ['dt', 'date', "'2024-02-29'", '2024-03-01', "'2024-03-01'"],
  ['js', 'json', `'{"a": 1, "a": 2}'`, '{"a": 1}', `'{"a": 1}'`],
  ['jn', 'jsonb', `'{"x": 1.50}'`, '{"x": 1.51}', `'{"x": 1.5}'`],
];

let databases: TestDatabase[] = [];
let source: DatabaseAdapter;

beforeAll(async () => {
  databases = await Promise.all([createTestDatabase(), createTestDatabase()]);
  source = createPostgresAdapter(databases[0]!.url, { max: 2 });
  await source.execute(
    `CREATE TABLE ty (id int PRIMARY KEY, ${COLUMNS.map(([c, type, value]) => `${c} ${type} DEFAULT ${value}`).join(', ')})`,
  );
  await source.execute('INSERT INTO ty (id) VALUES (1)');
});
afterAll(async () => {
  await source?.close();
  await Promise.all(databases.map((d) => d.drop()));
});

describe('Postgres types without a SQLite counterpart', () => {
  it.each(['sqlite', 'postgres'] as const)(
    'Postgres -> %s: copied equal, and each value changed by its least step is found',
    async (kind) => {
      const pg = kind === 'postgres';
      const target = pg ? createPostgresAdapter(databases[1]!.url, { max: 2 }) : createSQLiteAdapter(':memory:');
      try {
        await target.execute(
          `CREATE TABLE ty (id int PRIMARY KEY, ${COLUMNS.map(([c, type]) => `${c} ${pg ? type : 'TEXT'}`).join(', ')})`,
        );
        await copyTables(source, target, { tables: ['ty'], checkpoint: false });
        const validate = () => validateDatabases(source, target, { validateAllRows: true, tables: ['ty'] });
        expect((await validate()).ok).toBe(true);
        const missed: string[] = [];
        for (const [column, type, , onSqlite, onPostgres] of COLUMNS) {
          const read = pg ? `SELECT ${column}::text AS v FROM ty` : `SELECT ${column} AS v FROM ty`;
          const before = (await target.first<{ v: unknown }>(read))!.v;
          await (pg
            ? target.execute(`UPDATE ty SET ${column} = ${onPostgres}`)
            : target.execute(`UPDATE ty SET ${column} = ?`, [onSqlite]));
          if ((await validate()).ok) missed.push(column);
          await target.execute(`UPDATE ty SET ${column} = ?${pg ? `::${type}` : ''}`, [before]);
        }
        expect(missed).toEqual([]);
        expect((await validate()).ok).toBe(true);
      } finally {
        await target.close();
      }
    },
  );
});
