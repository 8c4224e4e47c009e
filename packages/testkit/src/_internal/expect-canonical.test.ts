import { describe, expect, it } from 'vitest';
import { expectCanonicalEqual } from './expect-canonical';

describe('expectCanonicalEqual', () => {
  it('passes values equal by their logical type', () => {
    expectCanonicalEqual(1, true, 'boolean', 'flag');
    expectCanonicalEqual('{"b":1,"a":2}', { a: 2, b: 1 }, 'json', 'doc');
    expectCanonicalEqual(9007199254740993n, '9007199254740993', 'integer', 'id');
  });

  it('names the first difference and the type read, in a short message, even for large values', () => {
    const written = 'x'.repeat(1_000_000);
    const read = 'x'.repeat(500_000) + 'y' + 'x'.repeat(499_999);
    let message = '';
    try {
      expectCanonicalEqual(read, written, 'text', 'text big');
    } catch (error) {
      message = (error as Error).message;
    }
    expect(message).toContain('first differ at character 500001');
    expect(message).toContain('a string');
    expect(message.length).toBeLessThan(600);
  });

  it('shows a rounded integer as the number it became', () => {
    expect(() => expectCanonicalEqual(2 ** 53, 2n ** 53n + 1n, 'integer', 'int')).toThrow(/"9007199254740992" \(a number\)/);
  });
});
