import { expect, it } from 'vitest';
import { statementKind } from '@switchyard/core';
import { sqliteCounterpart } from '../src/_internal/engine-counterparts';
import { runsOnPrimaryAlone } from '../src/_internal/primary-only';
import { chaosSeed, seededRandom, type Random } from './chaos-random';

/**
 * The forms a SQLite or D1 secondary gives Postgres statements are chosen by their first
 * words. A row statement that only mentions those words (in a string, a name, a comment
 * after its start) must reach the secondary exactly as written, and keep its kind: changed
 * or marked as nothing to run, its rows would be lost there.
 */
const WORDS = [
  'into',
  'INTO TEMP t',
  'comment on',
  'GRANT',
  'refresh materialized view v',
  'CONCURRENTLY',
  'using btree',
  'GENERATED ALWAYS AS IDENTITY',
  'explain analyze',
  'OWNER TO x',
  'FOR UPDATE',
  'create table t',
  'DO $$',
  'select a into b from t',
];
const NAMES = ['notes', '"Into"', 'grants', 'comment_on', 'refresh', '"select"', 'owner_to', 'into_x'];

function literal(r: Random): string {
  const text = Array.from({ length: 1 + r.int(3) }, () => r.pick(WORDS)).join(' ');
  return r.int(2) === 0 ? `'${text.replace(/'/g, "''")}'` : `$q$${text}$q$`;
}

function rowStatement(r: Random): { sql: string; kind: 'read' | 'write' } {
  const table = r.pick(NAMES);
  const column = r.pick(NAMES);
  const comment = r.int(3) === 0 ? ` /* ${r.pick(WORDS)} */` : '';
  switch (r.int(5)) {
    case 0:
      return { sql: `INSERT INTO ${table} (${column}) VALUES (${literal(r)})${comment}`, kind: 'write' };
    case 1:
      return { sql: `UPDATE ${table} SET ${column} = ${literal(r)} WHERE ${column} <> ${literal(r)}${comment}`, kind: 'write' };
    case 2:
      return { sql: `DELETE FROM ${table} WHERE ${column} = ${literal(r)}${comment} RETURNING ${column}`, kind: 'write' };
    case 3:
      return { sql: `SELECT ${column}, ${literal(r)} AS ${r.pick(NAMES)} FROM ${table}${comment}`, kind: 'read' };
    default:
      return { sql: `WITH w AS (SELECT ${literal(r)} AS v) INSERT INTO ${table} (${column}) SELECT v FROM w${comment}`, kind: 'write' };
  }
}

it('row statements that mention the words of other forms reach a SQLite secondary as written, with their kind', () => {
  const seed = chaosSeed();
  const r = seededRandom(seed);
  for (let i = 0; i < 3000; i++) {
    const { sql, kind } = rowStatement(r);
    const statement = { sql, params: [] };
    const why = `seed ${seed} (DW_CHAOS_SEED=${seed} repeats it), statement ${i}: ${sql}`;
    expect(sqliteCounterpart(statement), why).toBe(statement);
    expect(statementKind(sql), why).toBe(kind);
    expect(runsOnPrimaryAlone(sql), why).toBe(false);
  }
});
