import { PreciseDate, type DialectName } from '@switchyard/core';

/** A seeded random source (mulberry32), so a failing run can be replayed from its seed. */
export function seededRandom(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** What both engines of a pair (and the copies between them) can hold exactly. */
export interface PairAbilities {
  /** int64 beyond 2^53 (not D1). */
  int64: boolean;
  /** ±Infinity in a REAL column (not D1, whose values travel as JSON). */
  infinity: boolean;
  /** NaN (Postgres only: SQLite stores it as NULL). */
  nan: boolean;
}

/** The abilities of a pair of engines. */
export function abilities(a: DialectName, b: DialectName): PairAbilities {
  const d1 = a === 'd1' || b === 'd1';
  return { int64: !d1, infinity: !d1, nan: a === 'postgres' && b === 'postgres' };
}

/** The columns of the property table, in order, each mutable. */
export const COLUMNS = ['i', 'r', 'r2', 't', 'n', 'u', 'ts', 'j', 'b', 'd', 'f'] as const;
export type Column = (typeof COLUMNS)[number];
export type PropRow = { id: number } & Record<Column, unknown>;

/** The table on each engine. */
export function propertyDdl(dialect: DialectName): string {
  if (dialect === 'postgres') {
    return 'CREATE TABLE prop (id bigint PRIMARY KEY, i bigint, r float8, r2 float8, t text, n text, u text, ts timestamptz, j jsonb, b bytea, d numeric, f boolean)';
  }
  return 'CREATE TABLE prop (id INTEGER PRIMARY KEY, i INTEGER, r REAL, r2 REAL, t TEXT, n TEXT, u TEXT, ts DATETIME, j JSON, b BLOB, d NUMERIC, f BOOLEAN)';
}

const pick = <T>(rand: () => number, items: readonly T[]): T => items[Math.floor(rand() * items.length)]!;
const MAX_SAFE = BigInt(Number.MAX_SAFE_INTEGER);
const INT64_MAX = 2n ** 63n - 1n;
const FIRST_US = -62_135_596_800_000_000n; // 0001-01-01
const LAST_US = 253_402_300_799_999_999n; // 9999-12-31T23:59:59.999999

/** A random double with 15 to 17 significant digits, over many magnitudes. */
function randomDouble(rand: () => number): number {
  const digits = 15 + Math.floor(rand() * 3);
  const n = Number((rand() * 2 - 1).toPrecision(digits)) * 10 ** Math.floor(rand() * 40 - 20);
  return Number(n.toPrecision(digits));
}

/** One row of every logical type, edges included, as far as the pair can hold them. */
export function makeRow(id: number, rand: () => number, can: PairAbilities): PropRow {
  const intEdges = can.int64 ? [INT64_MAX, -INT64_MAX - 1n, MAX_SAFE + 2n, 0n] : [MAX_SAFE, -MAX_SAFE, 0n];
  const realEdges = [-0, 0, 5e-324, -2.2250738585072014e-308, Number.MAX_VALUE, 0.1, 1 / 3];
  if (can.infinity) realEdges.push(Infinity, -Infinity);
  if (can.nan) realEdges.push(NaN);
  const micros =
    rand() < 0.1
      ? pick(rand, [FIRST_US, LAST_US, FIRST_US + 123_456n, 0n])
      : FIRST_US + BigInt(Math.floor((rand() * Number(LAST_US - FIRST_US)) / 1000)) * 1000n + BigInt(Math.floor(rand() * 1000));
  const big = (9_007_199_254_740_993n + BigInt(Math.floor(rand() * 1e6))).toString();
  return {
    id,
    i: rand() < 0.2 ? pick(rand, intEdges) : BigInt(Math.floor((rand() * 2 - 1) * 1e15)),
    r: rand() < 0.4 ? pick(rand, realEdges) : randomDouble(rand),
    r2: randomDouble(rand),
    t: pick(rand, ['', 'plain', 'Ünïcödé ✓', '😀 emoji', 'line\nbreak', 'tab\tand "quotes"', "it's", 'a'.repeat(300)]) + String(id % 97),
    n: pick(rand, [null, '', 'x', ' ']),
    u: crypto.randomUUID().replace(/[a-f]/g, (c) => (rand() < 0.5 ? c.toUpperCase() : c)),
    ts: PreciseDate.fromEpochMicros(micros),
    j: `{"id":${big},"amount":12345678901234567.${(id % 90) + 10},"nested":{"list":[1.5,-2,${(rand() * 1e6).toFixed(3)}],"s":"é\\u00e9"},"z":null}`,
    b: Buffer.from(Array.from({ length: Math.floor(rand() * 12) }, () => Math.floor(rand() * 256))),
    d: (Math.floor((rand() * 2 - 1) * 1e9) / 1e4).toFixed(4),
    f: rand() < 0.5,
  };
}

function nextDouble(x: number, up: boolean): number {
  if (x === Infinity) return Number.MAX_VALUE;
  if (x === -Infinity) return -Number.MAX_VALUE;
  if (x === 0) return up ? 5e-324 : -5e-324;
  const view = new DataView(new ArrayBuffer(8));
  view.setFloat64(0, x);
  const bits = view.getBigUint64(0);
  view.setBigUint64(0, x > 0 === up ? bits + 1n : bits - 1n);
  const next = view.getFloat64(0);
  return Number.isFinite(next) ? next : nextDouble(x, !up);
}

/** The smallest change of one value that still differs from it, or `undefined` when the column has none. */
export function mutate(column: Column, value: unknown, rand: () => number, can: PairAbilities): unknown {
  switch (column) {
    case 'i': {
      const v = value as bigint;
      const limit = can.int64 ? INT64_MAX : MAX_SAFE;
      return v >= limit ? v - 1n : v + 1n; // the last digit of an int64
    }
    case 'r':
    case 'r2':
      if (Number.isNaN(value)) return undefined;
      return nextDouble(value as number, rand() < 0.5); // one ulp
    case 't':
    case 'n': {
      const s = value as string | null;
      if (s === null) return ''; // NULL -> empty
      if (s === '' && column === 'n') return null; // empty -> NULL
      return rand() < 0.5 || s === '' ? s + ' ' : s.slice(0, -1) + String.fromCharCode(s.charCodeAt(s.length - 1) ^ 1);
    }
    case 'u': {
      const s = value as string;
      const at = s.search(/[a-fA-F]/);
      if (at < 0) return undefined;
      const c = s[at]!;
      return s.slice(0, at) + (c === c.toUpperCase() ? c.toLowerCase() : c.toUpperCase()) + s.slice(at + 1); // one letter's case
    }
    case 'ts': {
      const d = value as PreciseDate;
      const micros = BigInt(d.getTime()) * 1000n + BigInt(d.microseconds);
      return PreciseDate.fromEpochMicros(micros >= LAST_US ? micros - 1n : micros + 1n); // one microsecond
    }
    case 'j': {
      const s = value as string;
      const m = /"amount":\d+\.(\d+)/.exec(s)!;
      const end = m.index + m[0].length - 1;
      const digit = Number(s[end]);
      return s.slice(0, end) + String(digit === 9 ? 8 : digit + 1) + s.slice(end + 1); // a JSON number's last digit
    }
    case 'b': {
      const b = Buffer.from(value as Uint8Array);
      if (b.length === 0) return Buffer.from([0]);
      b[b.length - 1] = b[b.length - 1]! ^ 0x01; // one byte
      return b;
    }
    case 'd': {
      const s = value as string;
      const digit = Number(s[s.length - 1]);
      return s.slice(0, -1) + String(digit === 9 ? 8 : digit + 1);
    }
    case 'f':
      return !(value as boolean);
  }
}

/** Row values in column order, for a multi-row INSERT. */
export function rowParams(row: PropRow): unknown[] {
  return [row.id, ...COLUMNS.map((c) => row[c])];
}

/**
 * The timestamp as text at +05:30, as an app on SQLite or D1 may have written it, for
 * years where the local time stays within 1000-9000.
 */
export function zonedText(d: PreciseDate): string | PreciseDate {
  const year = d.getUTCFullYear();
  if (year < 1000 || year > 9000) return d;
  const local = new PreciseDate(d.getTime() + 330 * 60_000, d.microseconds);
  return local.toPreciseISOString().slice(0, -1) + '+05:30';
}
