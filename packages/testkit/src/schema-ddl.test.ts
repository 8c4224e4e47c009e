import { describe, expect, it } from 'vitest';
import { logicalTypeOf, type DialectName, type LogicalType } from '@switchyard/core';
import { columnType, ddl } from './schema-ddl';

const TYPES: LogicalType[] = ['integer', 'boolean', 'timestamp', 'json', 'blob', 'numeric', 'real', 'text'];
const DIALECTS: DialectName[] = ['sqlite', 'd1', 'postgres'];

describe('portable DDL', () => {
  for (const dialect of DIALECTS) {
    it(`declares types that ${dialect} reads back as the same logical type`, () => {
      for (const type of TYPES) expect([type, logicalTypeOf(columnType({ dialect }, type), dialect)]).toEqual([type, type]);
    });
  }

  it('replaces every {type} token and leaves the rest of the statement alone', () => {
    expect(ddl({ dialect: 'sqlite' }, "CREATE TABLE t (id {integer} PRIMARY KEY, doc {json}, note {text} DEFAULT '{json}x')")).toBe(
      "CREATE TABLE t (id BIGINT PRIMARY KEY, doc JSONB, note TEXT DEFAULT 'JSONBx')",
    );
  });
});
