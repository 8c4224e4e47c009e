import { describe, expect, it } from 'vitest';
import { createSQLiteAdapter, type SQLiteAdapter } from '@switchyard/sqlite';
import { copyTables } from '../src/index';
import { assertTablesEqual, countRows, usePostgresDatabase } from './fixtures';

// Every column type of the COPY path, on both sides: (SQLite declared type, Postgres type).
const TYPES: [string, string, string][] = [
  ['t', 'TEXT', 'TEXT'],
  ['vc', 'VARCHAR(500)', 'VARCHAR(500)'],
  ['i', 'INTEGER', 'BIGINT'],
  ['r', 'REAL', 'DOUBLE PRECISION'],
  ['n', 'NUMERIC', 'NUMERIC'],
  ['b', 'BOOLEAN', 'BOOLEAN'],
  ['ts', 'DATETIME', 'TIMESTAMPTZ'],
  ['d', 'DATE', 'DATE'],
  ['j', 'JSON', 'JSONB'],
  ['bl', 'BLOB', 'BYTEA'],
  ['u', 'TEXT', 'UUID'],
];

const PIECES = ['\t', '\n', '\r', '\\', '\\N', '\\.', 'N', '.', 'a', 'é', '😀', ' ', '"', "'", '666', 'Z', ',', '|', '\r\n', '\\t'];
const INJECTIONS = ['\n666\teve\tt\t2024-01-01T00:00:00Z', '\\N', '\t666', '\r\n\\.\n', '\\\n666'];
// A valid value of each type, to which an injection is appended.
const VALID: Record<string, unknown> = {
  t: 'x',
  vc: 'x',
  i: 7,
  r: 1.5,
  n: '2.25',
  b: 1,
  ts: '2024-01-01T00:00:00Z',
  d: '2024-03-05',
  j: '{"a":1}',
  bl: 'x',
  u: '123e4567-e89b-12d3-a456-426614174000',
};

function random(seed: number): () => number {
  let s = seed >>> 0;
  return () => {
    s = (Math.imul(s ^ (s >>> 15), 2246822507) + 0x9e3779b9) >>> 0;
    return s / 2 ** 32;
  };
}

function hostileText(next: () => number): string {
  let out = '';
  const n = 1 + Math.floor(next() * 12);
  for (let k = 0; k < n; k++) out += PIECES[Math.floor(next() * PIECES.length)];
  return out;
}

/** Injection attempts after a valid value of each type, the last one a whole second line that fits the table. */
function injectionsFor(name: string): string[] {
  const valid = String(VALID[name]);
  return [...INJECTIONS.map((inj) => valid + inj), `${valid}\n666\t${valid}`];
}

/** A source with one table per column type and injection: a value Postgres rejects fails only its own copy. */
function hostileSource(): SQLiteAdapter {
  const source = createSQLiteAdapter(':memory:');
  for (const [name, sqliteType] of TYPES) {
    injectionsFor(name).forEach((value, k) => {
      source.database.exec(`CREATE TABLE inj_${name}_${k} (id INTEGER PRIMARY KEY, v ${sqliteType})`);
      const insert = source.database.prepare(`INSERT INTO inj_${name}_${k} (id, v) VALUES (?, ?)`);
      insert.run(1, VALID[name]);
      insert.run(2, value);
    });
  }
  return source;
}

describe('COPY text format: hostile values in every column type', () => {
  const postgres = usePostgresDatabase();

  // A transform (even one that changes nothing) sends rows through the JavaScript encoder.
  const same = (row: Record<string, unknown>) => row;
  for (const javascript of [false, true]) {
    it(`never lets a value add, split or drop a row (${javascript ? 'JavaScript encoder' : 'SQLite-rendered text'})`, async () => {
      const source = hostileSource();
      for (const [name, , pgType] of TYPES) {
        for (let k = 0; k < injectionsFor(name).length; k++) {
          const table = `inj_${name}_${k}`;
          await postgres.adapter.execute(`DROP TABLE IF EXISTS ${table}`);
          await postgres.adapter.execute(`CREATE TABLE ${table} (id BIGINT PRIMARY KEY, v ${pgType})`);
          const result = await copyTables(source, postgres.adapter, {
            tables: [table],
            resume: false,
            retries: 0,
            ...(javascript ? { transform: same } : {}),
          }).catch((e: Error) => e);
          const ids = (await postgres.adapter.query<{ id: unknown }>(`SELECT id FROM ${table} ORDER BY id`)).map((r) => Number(r.id));
          // Whatever Postgres made of the value, no row appeared that the source lacks, and
          // a copy that reports success holds both rows.
          expect(
            ids.filter((id) => id !== 1 && id !== 2),
            table,
          ).toEqual([]);
          if (!(result instanceof Error)) expect(ids, table).toEqual([1, 2]);
          // Text takes every value: both rows arrive, byte for byte.
          if (name === 't' || name === 'vc') await assertTablesEqual(source, postgres.adapter, table);
          // Keeps the target's catalog small: each copy introspects it.
          await postgres.adapter.execute(`DROP TABLE ${table}`);
        }
      }
      await source.close();
    }, 180_000);
  }

  it('copies random hostile text, JSON, bytes and every date/time shape exactly on both encoders', async () => {
    const next = random(20240305);
    const stamps = [
      '2024-03-05',
      '2024-03-05 10:11:12',
      '2024-03-05T10:11:12.345',
      '2024-03-05T10:11:12Z',
      '2024-03-05 10:11:12+02:00',
      1_700_000_000,
      1_700_000_000_123,
      '1700000000',
    ];
    const rows: unknown[][] = [];
    for (let id = 1; id <= 300; id++) {
      const text = hostileText(next);
      rows.push([
        id,
        text,
        hostileText(next),
        Math.floor(next() * 1e6) - 5e5,
        next() * 100,
        `${Math.floor(next() * 1000)}.5`,
        id % 2,
        stamps[id % stamps.length],
        `2024-0${1 + (id % 9)}-1${id % 10}`,
        JSON.stringify({ s: text, nested: [text, id] }).replace(/,/g, ',\n\t'),
        Buffer.from([92, 10, 9, 13, 0, id & 255, 78]),
        `${(id % 16).toString(16)}23e4567-e89b-12d3-a456-426614174000`,
      ]);
    }
    const source = createSQLiteAdapter(':memory:');
    for (const [table, reconcile, transform] of [
      ['fuzz_off', false],
      ['fuzz_on', true],
      ['fuzz_js', true, same],
    ] as const) {
      source.database.exec(`CREATE TABLE ${table} (id INTEGER PRIMARY KEY, ${TYPES.map(([n, sqlite]) => `${n} ${sqlite}`).join(', ')})`);
      const insert = source.database.prepare(`INSERT INTO ${table} VALUES (${rows[0]!.map(() => '?').join(', ')})`);
      for (const row of rows) insert.run(...row);
      await postgres.adapter.execute(`DROP TABLE IF EXISTS ${table}`);
      await postgres.adapter.execute(`CREATE TABLE ${table} (id BIGINT PRIMARY KEY, ${TYPES.map(([n, , pg]) => `${n} ${pg}`).join(', ')})`);
      const result = await copyTables(source, postgres.adapter, { tables: [table], reconcile, transform, resume: false, batchSize: 64 });
      expect(result.tables[0]).toMatchObject({ status: 'done', method: 'copy', rowsWritten: rows.length });
      expect(await assertTablesEqual(source, postgres.adapter, table)).toBe(rows.length);
      // A date alone is midnight UTC, not an epoch number.
      const day = await postgres.adapter.first<{ ok: boolean }>(
        `SELECT ts = '2024-03-05T00:00:00Z'::timestamptz AS ok FROM ${table} WHERE id = 8`,
      );
      expect(day?.ok).toBe(true);
    }
    await source.close();
  });

  it('refuses a NUL in text with an error naming the table, key and column', async () => {
    const source = createSQLiteAdapter(':memory:');
    await postgres.adapter.execute('DROP TABLE IF EXISTS nul_text');
    await postgres.adapter.execute('CREATE TABLE nul_text (id BIGINT PRIMARY KEY, note TEXT)');
    source.database.exec('CREATE TABLE nul_text (id INTEGER PRIMARY KEY, note TEXT)');
    source.database.prepare('INSERT INTO nul_text VALUES (?, ?)').run(1, 'fine');
    source.database.prepare('INSERT INTO nul_text VALUES (?, ?)').run(42, 'a\0b\n666\tinjected');
    for (const reconcile of [false, true]) {
      const error = await copyTables(source, postgres.adapter, { tables: ['nul_text'], reconcile, resume: false, retries: 0 }).catch(
        (e: Error) => e,
      );
      expect(error).toBeInstanceOf(Error);
      expect(String((error as Error).message)).toMatch(/nul_text.*42.*"note".*NUL/s);
      expect(await countRows(postgres.adapter, 'nul_text')).toBe(0);
    }
    await source.close();
  });
});
