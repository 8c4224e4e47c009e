import type { DatabaseAdapter, DialectName } from '@switchyard/core';

/** A row of the test table, in JavaScript terms; each engine stores it its own natural way. */
export interface ItemRow {
  id: number;
  name: string;
  payload: Record<string, unknown>;
  createdAt: Date;
  active: boolean;
  big: bigint;
  note: string | null;
  data: Buffer;
}

/** The test table's DDL on each engine, in its natural types. */
export function itemsDdl(dialect: DialectName, table = 'items'): string {
  return dialect === 'postgres'
    ? `CREATE TABLE "${table}" (id bigint PRIMARY KEY, name text, payload jsonb, created_at timestamptz, active boolean, big bigint, note text, data bytea)`
    : `CREATE TABLE "${table}" (id INTEGER PRIMARY KEY, name TEXT, payload JSON, created_at DATETIME, active BOOLEAN, big INTEGER, note TEXT, data BLOB)`;
}

/** `count` rows; `big` goes beyond 2^53 only when `exactInt64`. */
export function makeItems(count: number, exactInt64: boolean): ItemRow[] {
  const base = Date.UTC(2024, 0, 1, 10, 0, 0);
  return Array.from({ length: count }, (_, i) => {
    const id = i + 1;
    return {
      id,
      name: `item ${id}`,
      payload: { tags: ['a', `t${id % 7}`], size: id * 3, nested: { z: id % 2 === 0, a: null } },
      // Whole seconds: SQLite rows store some of them as epoch seconds.
      createdAt: new Date(base + id * 60_000),
      active: id % 3 === 0,
      big: exactInt64 ? 9007199254740993n + BigInt(id) * 1000n : BigInt(id) * 1000n,
      note: id % 5 === 0 ? null : `note ${id}`,
      data: Buffer.from([id % 256, 0, 255, (id * 7) % 256]),
    };
  });
}

/**
 * Writes rows the way an application on that engine would: Postgres gets Date, objects,
 * booleans and bigint; SQLite and D1 get 'YYYY-MM-DD HH:MM:SS' text or epoch seconds,
 * JSON text with keys in another order, 1/0, and bytes.
 */
export async function writeItems(adapter: DatabaseAdapter, rows: readonly ItemRow[], table = 'items'): Promise<void> {
  const perStatement = Math.floor(adapter.capabilities.maxBoundParameters / 8);
  const statements = [];
  for (let i = 0; i < rows.length; i += perStatement) {
    const chunk = rows.slice(i, i + perStatement);
    statements.push({
      sql: `INSERT INTO "${table}" (id, name, payload, created_at, active, big, note, data) VALUES ${chunk.map(() => '(?, ?, ?, ?, ?, ?, ?, ?)').join(', ')}`,
      params: chunk.flatMap((row) => naturalValues(adapter.dialect, row)),
    });
  }
  await adapter.batch(statements);
}

function naturalValues(dialect: DialectName, row: ItemRow): unknown[] {
  if (dialect === 'postgres') {
    return [row.id, row.name, row.payload, row.createdAt, row.active, row.big, row.note, row.data];
  }
  const created =
    row.id % 2 === 0 ? row.createdAt.toISOString().slice(0, 19).replace('T', ' ') : Math.floor(row.createdAt.getTime() / 1000);
  return [row.id, row.name, reversedJson(row.payload), created, row.active ? 1 : 0, row.big, row.note, row.data];
}

// JSON text with every object's keys in reverse order: equal to the original as JSON.
function reversedJson(value: unknown): string {
  if (value === null || typeof value !== 'object') return JSON.stringify(value);
  if (Array.isArray(value)) return '[' + value.map(reversedJson).join(',') + ']';
  const entries = Object.entries(value as Record<string, unknown>).reverse();
  return '{' + entries.map(([k, v]) => JSON.stringify(k) + ': ' + reversedJson(v)).join(', ') + '}';
}
