import { describe, expect, it } from 'vitest';
import { onlyIfInherited, qualifiedTableName, quoteIdentifier, readTableName } from './index';

describe('quoteIdentifier', () => {
  it('double-quotes a name and doubles the quotes inside it', () => {
    expect(quoteIdentifier('order')).toBe('"order"');
    expect(quoteIdentifier('a"b""c')).toBe('"a""b""""c"');
    expect(quoteIdentifier('Mixed Case.dot')).toBe('"Mixed Case.dot"');
  });
});

describe('qualifiedTableName', () => {
  it('names the schema on Postgres outside public only, and never on SQLite or D1', () => {
    const sales = { name: 'Or"ders', schema: 'sales' };
    expect(qualifiedTableName(sales, 'postgres')).toBe('"sales"."Or""ders"');
    expect(qualifiedTableName({ name: 'orders', schema: 'public' }, 'postgres')).toBe('"orders"');
    expect(qualifiedTableName(sales, 'sqlite')).toBe('"Or""ders"');
    expect(qualifiedTableName(sales, 'd1')).toBe('"Or""ders"');
    expect(onlyIfInherited({ inheritedBy: ['special'] }) + qualifiedTableName(sales, 'postgres')).toBe('ONLY "sales"."Or""ders"');
  });

  it('reads a table others inherit with ONLY, on Postgres only', () => {
    const items = { name: 'items', schema: 'shop', inheritedBy: ['special'] };
    expect(readTableName(items, 'postgres')).toBe('ONLY "shop"."items"');
    expect(readTableName({ name: 'items', schema: 'shop' }, 'postgres')).toBe('"shop"."items"');
    expect(readTableName(items, 'sqlite')).toBe('"items"');
  });
});
