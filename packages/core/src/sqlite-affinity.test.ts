import { expect, it } from 'vitest';
import { sqliteAffinity } from './sqlite-affinity';

// SQLite's own table of examples (datatype3.html, "Affinity Name Examples"), and its two quirks.
it('gives the affinity SQLite gives each declared type', () => {
  const cases: [string, string][] = [
    ['INT', 'INTEGER'],
    ['UNSIGNED BIG INT', 'INTEGER'],
    ['INT8', 'INTEGER'],
    ['CHARACTER(20)', 'TEXT'],
    ['NATIVE CHARACTER(70)', 'TEXT'],
    ['CLOB', 'TEXT'],
    ['BLOB', 'BLOB'],
    ['', 'BLOB'],
    ['DOUBLE PRECISION', 'REAL'],
    ['FLOAT', 'REAL'],
    ['NUMERIC', 'NUMERIC'],
    ['DECIMAL(10,5)', 'NUMERIC'],
    ['BOOLEAN', 'NUMERIC'],
    ['DATETIME', 'NUMERIC'],
    ['JSON', 'NUMERIC'],
    ['FLOATING POINT', 'INTEGER'],
    ['STRING', 'NUMERIC'],
  ];
  for (const [declared, affinity] of cases) expect([declared, sqliteAffinity(declared)]).toEqual([declared, affinity]);
});
