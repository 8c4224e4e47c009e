import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { validateDatabases, type ValidateOptions } from './index';
import { openEngine, type TestEngine } from '../test/engine-pairs';

// Generated numeric and JSON texts, stored alike in two Postgres databases, validate equal in
// every mode; each row's text changed by its least step on one side (a trailing zero, two
// keys swapped, one space) is found, and no other row is. Replay with PROPERTY_SEED.
const SEED = Number(process.env.PROPERTY_SEED ?? Math.floor(Math.random() * 2 ** 31));
const ROWS = 40;
const MODES: ValidateOptions[] = [{ validateAllRows: true }, { validateAllRows: true, checksums: false }, { sampleSize: ROWS }];

let a: TestEngine;
let b: TestEngine;

beforeAll(async () => {
  [a, b] = await Promise.all([openEngine('postgres'), openEngine('postgres')]);
});
afterAll(async () => {
  await Promise.all([a?.dispose(), b?.dispose()]);
});

function seeded(seed: number): () => number {
  let s = seed >>> 0;
  return () => {
    s = (s + 0x6d2b79f5) >>> 0;
    let t = Math.imul(s ^ (s >>> 15), s | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** A decimal with a fraction of 1-4 digits, the last one never 0 (so a trailing zero is a change). */
function decimal(rand: () => number): string {
  const digits = 1 + Math.floor(rand() * 4);
  let fraction = '';
  for (let i = 0; i < digits - 1; i++) fraction += Math.floor(rand() * 10);
  fraction += 1 + Math.floor(rand() * 9);
  return `${rand() < 0.3 ? '-' : ''}${Math.floor(rand() * 100000)}.${fraction}`;
}

/** A JSON object of two to four keys as compact text, and its least changes. */
function document(rand: () => number): { text: string; changed: string[] } {
  const keys = ['a', 'b', 'c', 'd'].slice(0, 2 + Math.floor(rand() * 3));
  const values = keys.map(() => (rand() < 0.5 ? decimal(rand) : JSON.stringify(`s${Math.floor(rand() * 1000)}`)));
  const text = (order: number[]) => `{${order.map((i) => `"${keys[i]}":${values[i]}`).join(',')}}`;
  const order = keys.map((_, i) => i);
  const number = values.findIndex((v) => !v.startsWith('"'));
  const changed = [text([1, 0, ...order.slice(2)]), text(order).replace(':', ': ')];
  if (number >= 0) changed.push(text(order).replace(`:${values[number]}`, `:${values[number]}0`));
  return { text: text(order), changed };
}

describe(`Postgres vs Postgres exact text, generated (seed ${SEED}; replay with PROPERTY_SEED=${SEED})`, () => {
  it('equal texts validate equal; each least change is found, alone', async () => {
    const rand = seeded(SEED);
    const rows = Array.from({ length: ROWS }, (_, i) => ({ id: i + 1, n: decimal(rand), doc: document(rand) }));
    for (const side of [a.adapter, b.adapter]) {
      await side.execute('DROP TABLE IF EXISTS gen; CREATE TABLE gen (id int PRIMARY KEY, n numeric, j json, jb jsonb)');
      for (const r of rows)
        await side.execute('INSERT INTO gen VALUES (?, ?::numeric, ?::json, ?::jsonb)', [r.id, r.n, r.doc.text, r.doc.text]);
    }
    const differing = async () => {
      const found = [];
      for (const mode of MODES) {
        const report = await validateDatabases(a.adapter, b.adapter, { ...mode, tables: ['gen'] });
        found.push(report.tables[0]!.differentRows.map((d) => `${String(d.key.id)}:${d.columns.map((c) => c.column).join(',')}`));
      }
      return found;
    };
    expect(await differing(), `seed ${SEED}`).toEqual([[], [], []]);
    for (const r of rows) {
      const change = (rand() * 3) | 0;
      let column: string;
      let value: string;
      if (change === 0) [column, value] = ['n', `${r.n}0`];
      else if (change === 1) [column, value] = ['j', r.doc.changed[Math.floor(rand() * r.doc.changed.length)]!];
      else {
        // jsonb keeps no key order or spacing: only a number's scale changes its text.
        const scaled = r.doc.changed[2];
        [column, value] = scaled ? ['jb', scaled] : ['n', `${r.n}0`];
      }
      await b.adapter.execute(
        `UPDATE gen SET ${column} = ?::${column === 'n' ? 'numeric' : column === 'j' ? 'json' : 'jsonb'} WHERE id = ?`,
        [value, r.id],
      );
      const expected = [`${r.id}:${column}`];
      expect(await differing(), `seed ${SEED}, row ${r.id}, ${column} = ${value}`).toEqual([expected, expected, expected]);
      await b.adapter.execute(`UPDATE gen SET n = ?::numeric, j = ?::json, jb = ?::jsonb WHERE id = ?`, [
        r.n,
        r.doc.text,
        r.doc.text,
        r.id,
      ]);
    }
  }, 120_000);
});
