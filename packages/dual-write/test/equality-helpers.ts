import { expect } from 'vitest';
import { mergeTypes } from '../src/_internal/column-types';
import { normalizeRow, type DatabaseAdapter, type LogicalType, type Row } from '@switchyard/core';

/** Column types of a table as both sides declare it, merged the way verification merges them. */
async function typesOf(a: DatabaseAdapter, b: DatabaseAdapter, table: string): Promise<Record<string, LogicalType>> {
  const out: Record<string, LogicalType> = {};
  for (const side of [a, b]) {
    const info = (await side.introspect()).find((t) => t.name.toLowerCase() === table.toLowerCase());
    for (const c of info?.columns ?? []) out[c.name] = mergeTypes(out[c.name], c.logicalType);
  }
  return out;
}

/** Every row of `table` on a side, normalized by logical type, in `orderBy` order. */
export async function canonicalRows(side: DatabaseAdapter, types: Record<string, LogicalType>, table: string, orderBy = 'id') {
  const rows = await side.query<Row>(`SELECT * FROM ${table} ORDER BY ${orderBy}`);
  return rows.map((r) => normalizeRow(r, types));
}

/** Asserts both sides hold the same rows in `table`; returns how many. */
export async function expectSameRows(a: DatabaseAdapter, b: DatabaseAdapter, table: string, orderBy = 'id'): Promise<number> {
  const types = await typesOf(a, b, table);
  const left = await canonicalRows(a, types, table, orderBy);
  const right = await canonicalRows(b, types, table, orderBy);
  expect(right).toEqual(left);
  return left.length;
}

/**
 * A real adapter that also logs the SQL it is asked to run, to see which statement
 * each side received. Everything is delegated to the adapter itself.
 */
export function loggingAdapter<A extends DatabaseAdapter>(adapter: A, log: string[]): A {
  return new Proxy(adapter, {
    get(target, key) {
      const value = Reflect.get(target, key, target);
      if (key === 'execute' || key === 'query') {
        return (sql: string, params?: unknown[]) => {
          log.push(sql);
          return (value as (s: string, p?: unknown[]) => unknown).call(target, sql, params);
        };
      }
      if (key === 'batch') {
        return (statements: { sql: string }[]) => {
          for (const s of statements) log.push(s.sql);
          return (value as (s: unknown) => unknown).call(target, statements);
        };
      }
      return typeof value === 'function' ? value.bind(target) : value;
    },
  });
}
