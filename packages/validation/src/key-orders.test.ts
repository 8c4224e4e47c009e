import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { DialectName } from '@switchyard/core';
import { validateDatabases, type ValidateOptions } from './index';
import { openEngine, type TestEngine } from '../test/engine-pairs';

// Postgres keys of a type with an order of its own: citext (case ignored whatever the
// collation: emails), an enum (declaration order), inet (by address). The walk ordered them
// so while the merge compares their text in byte order, and a full validation stopped with
// "orders these keys differently" on every such table, against Postgres and SQLite alike.
const MODES: ValidateOptions[] = [{ validateAllRows: true }, { validateAllRows: true, checksums: false }, { sampleSize: 50 }];

const PG_DDL = [
  'CREATE EXTENSION IF NOT EXISTS citext',
  `DO $$ BEGIN CREATE TYPE tier AS ENUM ('zinc', 'gold', 'bronze'); EXCEPTION WHEN duplicate_object THEN NULL; END $$`,
  'CREATE TABLE users (email citext PRIMARY KEY, n int)',
  'CREATE TABLE plans (tier tier, host inet, n int, PRIMARY KEY (tier, host))',
];
const SQLITE_DDL = [
  'CREATE TABLE users (email TEXT PRIMARY KEY, n INTEGER)',
  'CREATE TABLE plans (tier TEXT, host TEXT, n INTEGER, PRIMARY KEY (tier, host))',
];
const EMAILS = ['a@x', 'B@x', 'c@x', 'D@x', 'é@x', 'Z@x', '_x@x', 'y@x'];
const PLANS: [string, string][] = [
  ['zinc', '10.0.0.2'],
  ['zinc', '9.0.0.1'],
  ['gold', '192.168.0.1'],
  ['bronze', '10.0.0.10'],
  ['gold', '2001:db8::1'],
];

let postgres: TestEngine;
const others: Partial<Record<DialectName, TestEngine>> = {};

async function fill(engine: TestEngine, ddl: readonly string[]): Promise<void> {
  for (const sql of ddl) await engine.adapter.execute(sql);
  for (const [i, email] of EMAILS.entries()) await engine.adapter.execute('INSERT INTO users VALUES (?, ?)', [email, i]);
  for (const [i, [tier, host]] of PLANS.entries()) await engine.adapter.execute('INSERT INTO plans VALUES (?, ?, ?)', [tier, host, i]);
}

beforeAll(async () => {
  const [pg, pg2, sqlite] = await Promise.all([openEngine('postgres'), openEngine('postgres'), openEngine('sqlite')]);
  postgres = pg;
  others.postgres = pg2;
  others.sqlite = sqlite;
  await fill(pg, PG_DDL);
  await fill(pg2, PG_DDL);
  await fill(sqlite, SQLITE_DDL);
});
afterAll(async () => {
  await Promise.all([postgres?.dispose(), others.postgres?.dispose(), others.sqlite?.dispose()]);
});

describe.each(['postgres', 'sqlite'] as const)('Postgres keys ordered by their own rules, against %s', (dialect) => {
  it.each(MODES)('validate equal in both directions (%o)', async (mode) => {
    const other = others[dialect]!.adapter;
    for (const [a, b] of [
      [postgres.adapter, other],
      [other, postgres.adapter],
    ]) {
      const report = await validateDatabases(a!, b!, { ...mode, tables: ['users', 'plans'] });
      expect(report.tables.map((t) => [t.table, t.status, t.error])).toEqual([
        ['users', 'ok', undefined],
        ['plans', 'ok', undefined],
      ]);
    }
  });

  it('a changed value and a missing row are reported by their keys', async () => {
    const other = others[dialect]!.adapter;
    await other.execute('UPDATE users SET n = 99 WHERE email = ?', ['c@x']);
    await other.execute('DELETE FROM plans WHERE tier = ? AND host = ?', ['zinc', '9.0.0.1']);
    try {
      for (const mode of MODES.slice(0, 2)) {
        const report = await validateDatabases(postgres.adapter, other, { ...mode, tables: ['users', 'plans'] });
        const [users, plans] = report.tables;
        expect(users!.differentRows.map((d) => d.key)).toEqual([{ email: 'c@x' }]);
        expect(plans!.missingInTarget).toEqual([{ tier: 'zinc', host: '9.0.0.1' }]);
        expect([plans!.extraInTargetCount, plans!.differentRowsCount, users!.missingInTargetCount]).toEqual([0, 0, 0]);
      }
    } finally {
      await other.execute('UPDATE users SET n = 2 WHERE email = ?', ['c@x']);
      await other.execute('INSERT INTO plans VALUES (?, ?, ?)', ['zinc', '9.0.0.1', 1]);
    }
  });
});
