import { expect, it } from 'vitest';
import { isBlankPadded, withoutPadding } from './blank-padded';
import type { ColumnInfo } from './types';

const column = (declaredType: string, baseType?: string): ColumnInfo => ({
  name: 'c',
  declaredType,
  logicalType: 'text',
  nullable: true,
  defaultValue: null,
  autoIncrement: false,
  ...(baseType ? { baseType } : {}),
});

it('knows a Postgres character(n) column, through a domain too, and nothing else', () => {
  for (const t of ['character(5)', 'character', 'bpchar', 'CHARACTER (2)']) expect(isBlankPadded(column(t), 'postgres')).toBe(true);
  expect(isBlankPadded(column('code_d', 'character(3)'), 'postgres')).toBe(true);
  for (const t of ['character varying(5)', 'text', '"char"', 'character(2)[]', 'citext'])
    expect(isBlankPadded(column(t), 'postgres')).toBe(false);
  expect(isBlankPadded(column('CHAR(5)'), 'sqlite')).toBe(false);
  expect(isBlankPadded(column('character(5)'), 'd1')).toBe(false);
});

it('removes trailing spaces only', () => {
  expect(withoutPadding('ab   ')).toBe('ab');
  expect(withoutPadding('     ')).toBe('');
  expect(withoutPadding(' a b')).toBe(' a b');
  expect(withoutPadding('ab\t ')).toBe('ab\t');
  expect(withoutPadding('ab\n')).toBe('ab\n');
  expect(withoutPadding('ab\u00a0')).toBe('ab\u00a0');
  expect(withoutPadding(5)).toBe(5);
  expect(withoutPadding(null)).toBe(null);
});
