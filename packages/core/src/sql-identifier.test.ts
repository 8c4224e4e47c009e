import { describe, expect, it } from 'vitest';
import { quoteIdentifier } from './index';

describe('quoteIdentifier', () => {
  it('double-quotes a name and doubles the quotes inside it', () => {
    expect(quoteIdentifier('order')).toBe('"order"');
    expect(quoteIdentifier('a"b""c')).toBe('"a""b""""c"');
    expect(quoteIdentifier('Mixed Case.dot')).toBe('"Mixed Case.dot"');
  });
});
