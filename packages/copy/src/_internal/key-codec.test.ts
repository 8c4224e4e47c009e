import { PreciseDate } from '@switchyard/core';
import { describe, expect, it } from 'vitest';
import { decodeKey, encodeKey } from './key-codec';

describe('checkpoint keys', () => {
  it('round-trips int64, microsecond dates and bytes in the stored-value format', () => {
    const key = [2n ** 63n - 1n, PreciseDate.fromEpochMicros(1_704_103_200_123_456n), new Uint8Array([0, 255]), 'a', 7];
    const text = encodeKey(key)!;
    expect(text).toBe('[{"$int":"9223372036854775807"},{"$time":"2024-01-01T10:00:00.123456Z"},{"$bytes":"00ff"},"a",7]');
    const back = decodeKey(text)!;
    expect(back[0]).toBe(2n ** 63n - 1n);
    expect((back[1] as PreciseDate).toPreciseISOString()).toBe('2024-01-01T10:00:00.123456Z');
    expect([...(back[2] as Uint8Array)]).toEqual([0, 255]);
    expect(back.slice(3)).toEqual(['a', 7]);
  });

  it('reads keys checkpoints stored before the stored-value format, as those releases read them', () => {
    const back = decodeKey(
      '[{"$bigint":"9223372036854775807"},{"$bigint":"42"},{"$date":"2024-01-01T10:00:00.123456Z"},{"$date":"2024-01-01T10:00:00.000Z"},{"$hex":"00ff"},"a",7,null]',
    )!;
    expect(back[0]).toBe(9223372036854775807n);
    expect(back[1]).toBe(42);
    expect((back[2] as PreciseDate).toPreciseISOString()).toBe('2024-01-01T10:00:00.123456Z');
    expect(back[3]).toEqual(new Date('2024-01-01T10:00:00.000Z'));
    expect([...(back[4] as Uint8Array)]).toEqual([0, 255]);
    expect(back.slice(5)).toEqual(['a', 7, null]);
  });

  it('has no key for empty text, and says what it expected of text that is no key', () => {
    expect(decodeKey(null)).toBeNull();
    expect(decodeKey('')).toBeNull();
    expect(() => decodeKey('{"a":1}')).toThrow(/not a stored SQL value/);
  });
});
