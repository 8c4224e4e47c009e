import { describe, expect, it } from 'vitest';
import { columnCollations, deferredKeys } from './sqlite-table-text';

describe('deferredKeys', () => {
  it('reads deferrable keys on columns and among the constraints, quoted or not, and leaves the rest out', () => {
    const sql = `CREATE TABLE "child" (
      id INTEGER PRIMARY KEY,
      parent_id INTEGER NOT NULL REFERENCES parent (id) ON DELETE CASCADE DEFERRABLE INITIALLY DEFERRED,
      "other id" INTEGER REFERENCES [other] ("id") DEFERRABLE,
      plain INTEGER REFERENCES parent (id),
      never INTEGER REFERENCES parent (id) NOT DEFERRABLE INITIALLY DEFERRED,
      note TEXT DEFAULT 'REFERENCES x DEFERRABLE',
      a INTEGER, b INTEGER,
      CONSTRAINT pair_fk FOREIGN KEY (a, "b") REFERENCES pair (x, y) DEFERRABLE INITIALLY IMMEDIATE,
      FOREIGN KEY (b) REFERENCES "Parent" DEFERRABLE INITIALLY DEFERRED
    )`;
    expect(deferredKeys(sql)).toEqual([
      { columns: ['parent_id'], table: 'parent', deferrable: 'deferred' },
      { columns: ['other id'], table: 'other', deferrable: 'immediate' },
      { columns: ['a', 'b'], table: 'pair', deferrable: 'immediate' },
      { columns: ['b'], table: 'Parent', deferrable: 'deferred' },
    ]);
  });

  it("reads the collation of each column that declares one, and not an expression's", () => {
    const sql = `CREATE TABLE t (
      id INTEGER PRIMARY KEY,
      email TEXT NOT NULL UNIQUE COLLATE nocase,
      "Name" TEXT COLLATE RTRIM DEFAULT 'x',
      code TEXT COLLATE BINARY,
      kind TEXT CHECK (kind COLLATE NOCASE IN ('a', 'b')),
      unique_tag TEXT,
      UNIQUE (email COLLATE NOCASE)
    )`;
    expect([...columnCollations(sql)]).toEqual([
      ['email', 'NOCASE'],
      ['name', 'RTRIM'],
    ]);
  });
});
