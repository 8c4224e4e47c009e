import { describe, expect, it } from 'vitest';
import { JSON_NULL, asJsonText, jsonSourceOf, parseJsonWithText } from './json-exact';
import { isBareJsonDocument, jsonTextItem, jsonTextItems, markJsonTexts } from './json-text-reads';
import type { TableInfo } from './types';

const column = (name: string, declaredType: string) => ({ name, declaredType, nullable: true, logicalType: 'json' as const });
const table = {
  name: 'docs',
  columns: [column('id', 'integer'), column('j', 'json'), column('Jb', 'jsonb'), column('ja', 'jsonb[]'), column('x'.repeat(56), 'jsonb')],
  primaryKey: ['id'],
} as unknown as TableInfo;

describe('bare JSON documents read as their text', () => {
  it('asks for the text of each json and jsonb column, not arrays of them nor a name Postgres would cut', () => {
    expect(jsonTextItems(table, 't.')).toBe(
      `, CASE WHEN json_typeof(t."j") NOT IN ('object', 'array') THEN (t."j")::text END AS "__sy_jt_j"` +
        `, CASE WHEN jsonb_typeof(t."Jb") NOT IN ('object', 'array') THEN (t."Jb")::text END AS "__sy_jt_Jb"`,
    );
    expect(jsonTextItem('n', 'text', 'x')).toBe('');
  });

  it('takes a domain over json or jsonb by the type it is built on', () => {
    const domains = {
      name: 'docs',
      columns: [
        { ...column('d', 'doc_domain'), baseType: 'jsonb' },
        { ...column('t', 'email'), baseType: 'text' },
        column('n', 'doc_domain[]'),
      ],
      primaryKey: ['d'],
    } as unknown as TableInfo;
    expect(jsonTextItems(domains, '')).toBe(`, CASE WHEN jsonb_typeof("d") NOT IN ('object', 'array') THEN ("d")::text END AS "__sy_jt_d"`);
  });

  it('sets each bare document to its text and drops the text columns; SQL NULL and objects stay as read', () => {
    const doc = parseJsonWithText('{"a": 1.50}');
    const rows = [
      { id: 1, j: null, Jb: null, __sy_jt_j: 'null', __sy_jt_Jb: null },
      { id: 2, j: 1.5, Jb: doc, __sy_jt_j: ' 1.50 ', __sy_jt_Jb: null },
    ];
    markJsonTexts(rows, table);
    expect(rows[0]).toEqual({ id: 1, j: JSON_NULL, Jb: null });
    expect(rows[0]!.j).toBe(JSON_NULL);
    expect(jsonSourceOf(rows[1]!.j)).toBe(' 1.50 ');
    expect(rows[1]!.Jb).toBe(doc);
    expect(Object.keys(rows[1]!)).toEqual(['id', 'j', 'Jb']);
  });

  it('without the table, takes every text column the rows carry', () => {
    const [row] = markJsonTexts([{ id: 1, doc: 'x', __sy_jt_doc: '"x"' }]);
    expect(jsonSourceOf(row!.doc)).toBe('"x"');
    expect('__sy_jt_doc' in row!).toBe(false);
  });

  it('tells a bare document from any other value', () => {
    expect([JSON_NULL, asJsonText('1.50'), asJsonText(' "x" ')].map(isBareJsonDocument)).toEqual([true, true, true]);
    expect([null, 1.5, 'x', asJsonText('[1]'), parseJsonWithText('{"a":1}'), {}].map(isBareJsonDocument)).toEqual([
      false,
      false,
      false,
      false,
      false,
      false,
    ]);
  });
});
