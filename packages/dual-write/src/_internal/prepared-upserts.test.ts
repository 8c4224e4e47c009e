import { describe, expect, it } from 'vitest';
import type { DatabaseAdapter } from '@switchyard/core';
import { keepUpsertPrepared } from './prepared-upserts';

/** The texts a secondary was asked to keep prepared: only the request is looked at here. */
function recording(): { side: DatabaseAdapter; kept: string[] } {
  const kept: string[] = [];
  return { side: { keepPrepared: (sql: string) => void kept.push(sql) } as unknown as DatabaseAdapter, kept };
}

const upsert = (table: string, rows: number) => `INSERT INTO ${table} VALUES ${Array(rows).fill('(?)').join(', ')}`;

describe('keepUpsertPrepared', () => {
  it('keeps single rows and small groups, not large ones', () => {
    const { side, kept } = recording();
    for (const rows of [1, 2, 8, 9, 40]) keepUpsertPrepared(side, upsert('t', rows), rows);
    expect(kept).toEqual([upsert('t', 1), upsert('t', 2), upsert('t', 8)]);
  });

  it('leaves most of the slots to other texts: at most 24 texts of several rows per secondary', () => {
    const { side, kept } = recording();
    for (const table of ['a', 'b', 'c', 'd', 'e'])
      for (let rows = 1; rows <= 8; rows++) keepUpsertPrepared(side, upsert(table, rows), rows);
    expect(kept.filter((sql) => sql.includes(', '))).toHaveLength(24);
    // Single rows are kept for every table, and a group kept once is asked for again.
    expect(kept.filter((sql) => !sql.includes(', '))).toHaveLength(5);
    keepUpsertPrepared(side, upsert('a', 2), 2);
    keepUpsertPrepared(side, upsert('e', 2), 2);
    expect(kept.at(-1)).toBe(upsert('a', 2));
    // Another secondary has slots of its own.
    const other = recording();
    keepUpsertPrepared(other.side, upsert('e', 2), 2);
    expect(other.kept).toEqual([upsert('e', 2)]);
  });
});
