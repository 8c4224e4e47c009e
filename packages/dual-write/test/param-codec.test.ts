import { JsonNumber, jsonSourceOf, parseJsonKeepingSource } from '@switchyard/core';
import { describe, expect, it } from 'vitest';
import { decodeParams, encodeParams } from '../src/_internal/param-codec';

describe('journal parameter codec', () => {
  it('round-trips the values JSON alone would lose', () => {
    const params = [
      null,
      'text',
      42,
      1.5,
      true,
      Number.NaN,
      Number.POSITIVE_INFINITY,
      Number.NEGATIVE_INFINITY,
      2n ** 63n - 1n,
      new Date('2024-01-02T03:04:05.678Z'),
      new Uint8Array([0, 1, 254, 255]),
      { nested: [1, 'two', { three: 3 }] },
      ['a', 'b'],
      undefined,
    ];
    const back = decodeParams(encodeParams(params));
    expect(back).toEqual(params);
    expect(back[5]).toBeNaN();
    expect(back[8]).toBe(2n ** 63n - 1n);
    expect(back[9]).toBeInstanceOf(Date);
    expect(back[10]).toBeInstanceOf(Uint8Array);
    expect(back).toHaveLength(params.length);
  });

  it('keeps JSON documents read with their exact text exact (JsonNumber, big numbers in objects)', () => {
    const params = [parseJsonKeepingSource('9007199254740993'), parseJsonKeepingSource('{"id":12345678901234567890.5}')];
    const back = decodeParams(encodeParams(params));
    expect(back[0]).toBeInstanceOf(JsonNumber);
    expect(String(back[0])).toBe('9007199254740993');
    expect(jsonSourceOf(back[1])).toBe('{"id":12345678901234567890.5}');
  });
});
