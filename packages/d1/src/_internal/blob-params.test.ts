import { describe, expect, it } from 'vitest';
import { bytesAsHexParams } from './blob-params';

describe('bytesAsHexParams', () => {
  const bytes = new Uint8Array([0, 15, 255]);

  it('leaves statements without bytes untouched', () => {
    const params = [1, 'a'];
    expect(bytesAsHexParams('SELECT ?, ?', params)).toEqual({ sql: 'SELECT ?, ?', params });
  });

  it('sends bytes as hex and decodes them with unhex()', () => {
    expect(bytesAsHexParams('INSERT INTO t VALUES (?, ?)', [1, bytes])).toEqual({
      sql: 'INSERT INTO t VALUES (?, unhex(?))',
      params: [1, '000fff'],
    });
  });

  it('skips ? inside literals, quoted identifiers and comments', () => {
    const sql = `SELECT '?', "?", [?], -- ?\n /* ? */ ?`;
    expect(bytesAsHexParams(sql, [bytes]).sql).toBe(`SELECT '?', "?", [?], -- ?\n /* ? */ unhex(?)`);
  });

  it('follows numbered placeholders', () => {
    expect(bytesAsHexParams('SELECT ?2, ?1, ?2', ['x', bytes]).sql).toBe('SELECT unhex(?2), ?1, unhex(?2)');
  });
});
