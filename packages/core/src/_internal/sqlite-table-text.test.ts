import { describe, expect, it } from 'vitest';
import { columnCollations, conflictClauses, deferredKeys } from './sqlite-table-text';

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

  it('reads the conflict clauses of column and table constraints, not the default ABORT or a text', () => {
    const sql = `CREATE TABLE t (
      id INTEGER PRIMARY KEY ON CONFLICT REPLACE AUTOINCREMENT,
      email VARCHAR(320) NOT NULL ON CONFLICT IGNORE UNIQUE ON CONFLICT REPLACE,
      n INTEGER NOT NULL ON CONFLICT ABORT DEFAULT 0,
      note TEXT DEFAULT 'UNIQUE ON CONFLICT FAIL' CHECK (note <> 'x'),
      a INTEGER, "B" INTEGER,
      CONSTRAINT pair unique (a, "B" COLLATE NOCASE DESC) on conflict fail,
      PRIMARY KEY (a) ON CONFLICT ROLLBACK
    )`;
    expect(conflictClauses(sql)).toEqual([
      { constraint: 'primaryKey', columns: ['id'], action: 'REPLACE' },
      { constraint: 'notNull', columns: ['email'], action: 'IGNORE' },
      { constraint: 'unique', columns: ['email'], action: 'REPLACE' },
      { constraint: 'unique', columns: ['a', 'B'], action: 'FAIL' },
      { constraint: 'primaryKey', columns: ['a'], action: 'ROLLBACK' },
    ]);
  });
});
