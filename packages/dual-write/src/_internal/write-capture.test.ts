import { describe, expect, it } from 'vitest';
import type { TableInfo } from '@switchyard/core';
import { planCapture, type CapturePlan } from './write-capture';

// A write that names a partition of a partitioned Postgres table writes that table's rows:
// its capture returns the partition's columns, and the rows it names are the table's, by its whole key.
// An INSERT that leaves a generated key to Postgres with DEFAULT (Drizzle's way) only makes new rows.

const events: TableInfo = {
  name: 'events',
  columns: ['id', 'at', 'body'].map((name) => ({
    name,
    declaredType: 'text',
    logicalType: 'text',
    nullable: name === 'body',
    defaultValue: null,
    autoIncrement: name === 'id',
  })),
  primaryKey: ['id', 'at'],
  indexes: [],
  foreignKeys: [],
  partitions: ['events_2026'],
};

const plan = (sql: string, params: unknown[]) => planCapture({ sql, params }, events, 'postgres') as CapturePlan;

describe('planCapture on a partition', () => {
  it('returns the partition’s rows and names them as the table’s, by the whole key', () => {
    const deleted = plan('DELETE FROM events_2026 WHERE id = ? AND at = ?', [2, '2026-05-01']);
    expect(deleted.statement.sql).toBe('DELETE FROM events_2026 WHERE id = ? AND at = ?\nRETURNING "events_2026".*');
    expect(deleted.named).toEqual([{ table: 'events', key: { id: 2, at: '2026-05-01' } }]);
    // Without the whole key no row is named: the table is locked instead.
    expect(plan('DELETE FROM events_2026 WHERE id = ?', [2]).named).toBeUndefined();
    const inserted = plan('INSERT INTO events_2026 (id, at, body) VALUES (?, ?, ?)', [50, '2026-07-01', 'x']);
    expect(inserted.named).toEqual([{ table: 'events', key: { id: 50, at: '2026-07-01' } }]);
  });

  it('keeps the table’s own name and the statement’s alias where they are written', () => {
    expect(plan('UPDATE events SET body = ? WHERE id = ? AND at = ?', ['b', 1, '2025-01-01']).named).toEqual([
      { table: 'events', key: { id: 1, at: '2025-01-01' } },
    ]);
    expect(plan('UPDATE events_2026 AS e SET body = ? WHERE e.body = ?', ['b', 'a']).statement.sql).toContain('RETURNING e.*');
  });
});

describe('planCapture on an INSERT that gives a key column DEFAULT', () => {
  it('takes new rows only when every row leaves a generated key column to the sequence', () => {
    const one = plan('insert into "events" ("id", "at", "body") values (default, ?, ?)', ['2026-01-01', 'x']);
    expect(one.newRowsOnly).toBe(true);
    expect(plan('INSERT INTO events (id, at) VALUES (DEFAULT, ?), (DEFAULT, ?)', ['2026-01-01', '2026-01-02']).newRowsOnly).toBe(true);
    // A row with its own id may meet a row another write holds: not new rows only.
    expect(plan('INSERT INTO events (id, at) VALUES (DEFAULT, ?), (?, ?)', ['2026-01-01', 7, '2026-01-02']).newRowsOnly).toBe(false);
    // DEFAULT for a key column no sequence fills is no new key.
    expect(plan('INSERT INTO events (id, at) VALUES (?, DEFAULT)', [7]).newRowsOnly).toBe(false);
    expect(
      plan('INSERT INTO events (id, at) VALUES (DEFAULT, ?) ON CONFLICT (id, at) DO UPDATE SET body = ?', ['2026-01-01', 'y']).newRowsOnly,
    ).toBe(false);
  });
});

describe('planCapture on an UPDATE by a bound array of keys', () => {
  it('names each row of the array, so only those rows are locked', () => {
    const users: TableInfo = { ...events, name: 'users', primaryKey: ['id'], partitions: [] };
    const by = (sql: string, params: unknown[]) => planCapture({ sql, params }, users, 'postgres') as CapturePlan;
    expect(by('UPDATE users SET body = ? WHERE id = ANY(?)', ['x', [1, 2]]).named).toEqual([
      { table: 'users', key: { id: 1 } },
      { table: 'users', key: { id: 2 } },
    ]);
    // The array built in the statement says nothing about the rows: the table is locked.
    expect(by('UPDATE users SET body = ? WHERE id = ANY(ARRAY[?, ?])', ['x', 1, 2]).named).toBeUndefined();
  });
});
