import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { DialectName } from '@switchyard/core';
import { repair, validateDatabases } from './index';
import { openEngine, type TestEngine } from '../test/engine-pairs';

// pg hands back an array of a type it has no parser for (an enum's, a range's) as its
// literal, `{happy,sad}`. Against SQLite or D1, which hold arrays as JSON, that text was
// compared as JSON (never equal), and `repair` wrote it as a JSON string there and into a
// Postgres enum array as JSON text, which Postgres refused, failing the whole repair.
let pg: TestEngine;
const others = new Map<DialectName, TestEngine>();
let table = 0;

beforeAll(async () => {
  pg = await openEngine('postgres');
  await pg.adapter.execute(`CREATE TYPE mood AS ENUM ('happy', 'sad')`);
  for (const d of ['sqlite', 'd1', 'postgres'] as const) others.set(d, await openEngine(d));
  await others.get('postgres')!.adapter.execute(`CREATE TYPE mood AS ENUM ('happy', 'sad')`);
});
afterAll(async () => {
  await Promise.all([pg?.dispose(), ...[...others.values()].map((o) => o.dispose())]);
});

const ROWS = `(1, '{happy,sad}', '{"[1,3)",empty}', '{a,"b c"}'), (2, '{}', '{}', '{}'), (3, '{NULL,sad}', NULL, NULL)`;

describe.each(['sqlite', 'd1', 'postgres'] as const)('Postgres enum and range arrays against %s', (dialect) => {
  it('repair writes them as arrays, validation is equal after it, and one changed element is a difference', async () => {
    const other = others.get(dialect)!;
    const name = `arrays_${++table}`;
    await pg.adapter.execute(`CREATE TABLE ${name} (id integer PRIMARY KEY, m mood[], r int4range[], t text[])`);
    await pg.adapter.execute(`INSERT INTO ${name} VALUES ${ROWS}`);
    await other.adapter.execute(
      dialect === 'postgres'
        ? `CREATE TABLE ${name} (id integer PRIMARY KEY, m mood[], r int4range[], t text[])`
        : `CREATE TABLE ${name} (id INTEGER PRIMARY KEY, m JSON, r JSON, t JSON)`,
    );
    const report = await validateDatabases(pg.adapter, other.adapter, { validateAllRows: true, tables: [name] });
    expect(report.tables[0]!.missingInTargetCount).toBe(3);
    expect(await repair(report, pg.adapter, other.adapter)).toMatchObject({ upserted: 3, stillDifferent: 0 });
    if (dialect !== 'postgres')
      expect(await other.adapter.query(`SELECT m, r FROM ${name} ORDER BY id`)).toEqual([
        { m: '["happy","sad"]', r: '["[1,3)","empty"]' },
        { m: '[]', r: '[]' },
        { m: '[null,"sad"]', r: null },
      ]);
    expect((await validateDatabases(pg.adapter, other.adapter, { validateAllRows: true, tables: [name] })).ok).toBe(true);
    await other.adapter.execute(
      dialect === 'postgres'
        ? `UPDATE ${name} SET m = '{happy,happy}' WHERE id = 1`
        : `UPDATE ${name} SET m = '["happy","happy"]' WHERE id = 1`,
    );
    await other.adapter.execute(
      dialect === 'postgres' ? `UPDATE ${name} SET m = '{sad}' WHERE id = 2` : `UPDATE ${name} SET m = '{}' WHERE id = 2`,
    );
    const changed = await validateDatabases(pg.adapter, other.adapter, { validateAllRows: true, tables: [name] });
    expect(changed.tables[0]!.differentRows.map((r) => r.key)).toEqual([{ id: 1 }, { id: 2 }]);
  });
});
