import { expect } from 'vitest';
import { normalizeRow, type DatabaseAdapter, type LogicalType, type Statement } from '@switchyard/core';
import { validateDatabases } from '@switchyard/validation';
import type { Mirror } from '../../src/mirror/mirror-types';

/** The application tables the mirror tests write to, in each engine's DDL. */
export function appSchema(dialect: DatabaseAdapter['dialect']): string[] {
  const ts = dialect === 'postgres' ? 'TIMESTAMPTZ' : 'DATETIME';
  const bool = 'BOOLEAN';
  return [
    `CREATE TABLE accounts (id INTEGER PRIMARY KEY, name TEXT NOT NULL, balance BIGINT NOT NULL, active ${bool} NOT NULL, updated_at ${ts})`,
    'CREATE TABLE counters (id INTEGER PRIMARY KEY, n INTEGER NOT NULL)',
  ];
}

/** Runs each DDL statement on each adapter. */
export async function createTables(adapters: DatabaseAdapter[], ddl: (d: DatabaseAdapter['dialect']) => string[]): Promise<void> {
  for (const a of adapters) for (const sql of ddl(a.dialect)) await a.execute(sql);
}

/** Writes through a mirror the way the dual-write adapter does: the write and its entry in one primary batch. */
export async function mirroredWrite(primary: DatabaseAdapter, mirror: Mirror, statements: Statement[]): Promise<void> {
  const prepared = await mirror.prepare(statements);
  await primary.batch(prepared.statements);
  await mirror.commit(prepared.op);
}

/**
 * A workload whose double application would show: inserts (a second copy fails on the
 * key) and relative increments (a second copy changes the total).
 */
export function workload(count: number, poisonAt?: number): Statement[][] {
  const writes: Statement[][] = [];
  for (let i = 1; i <= count; i++) {
    const w: Statement[] = [
      {
        sql: 'INSERT INTO accounts (id, name, balance, active, updated_at) VALUES (?, ?, ?, ?, ?)',
        params: [i, `user ${i}`, BigInt(i) * 1000n, i % 2 === 0, new Date(Date.UTC(2026, 0, 1, 0, 0, i % 60))],
      },
      { sql: 'UPDATE counters SET n = n + 1 WHERE id = ?', params: [1 + (i % 5)] },
    ];
    if (i === poisonAt) w.push({ sql: 'INSERT INTO audit (id, note) VALUES (?, ?)', params: [i, 'needs the audit table'] });
    writes.push(w);
  }
  return writes;
}

/** Seeds the counters on both sides. */
export async function seedCounters(adapters: DatabaseAdapter[]): Promise<void> {
  for (const a of adapters) {
    await a.batch([1, 2, 3, 4, 5].map((id) => ({ sql: 'INSERT INTO counters (id, n) VALUES (?, 0)', params: [id] })));
  }
}

/**
 * Asserts both sides hold the same rows in `tables`: `validateDatabases` over every row
 * reports them equal, and a plain read of both, normalized by logical type, agrees.
 */
export async function expectSameRows(a: DatabaseAdapter, b: DatabaseAdapter, tables: string[]): Promise<void> {
  const report = await validateDatabases(a, b, { tables, validateAllRows: true });
  expect(report.ok, report.summary).toBe(true);
  const typesA = await logicalTypes(a);
  for (const table of tables) {
    const types = typesA.get(table) ?? {};
    const rowsA = (await a.query(`SELECT * FROM ${table} ORDER BY id`)).map((r) => normalizeRow(r, types));
    const rowsB = (await b.query(`SELECT * FROM ${table} ORDER BY id`)).map((r) => normalizeRow(r, types));
    expect(rowsB, `table ${table} differs between ${a.name} and ${b.name}`).toEqual(rowsA);
  }
}

async function logicalTypes(adapter: DatabaseAdapter): Promise<Map<string, Record<string, LogicalType>>> {
  const out = new Map<string, Record<string, LogicalType>>();
  for (const t of await adapter.introspect()) {
    out.set(t.name, Object.fromEntries(t.columns.map((c) => [c.name, c.logicalType])));
  }
  return out;
}
