import { describe, expect, it } from 'vitest';
import { formatUtcTimestamp } from './utc-timestamp';

describe('formatUtcTimestamp', () => {
  it('matches toISOString across years 1-9999, leap days and epoch edges', () => {
    const fixed = [0, -1, 1, 951_782_400_000, 4_107_542_399_999, -62_135_596_800_000, 253_402_300_799_999];
    for (const t of fixed) expect(formatUtcTimestamp(new Date(t))).toBe(new Date(t).toISOString());
    for (const iso of ['2024-02-29T23:59:59.999Z', '2000-02-29T00:00:00.000Z', '1900-03-01T12:00:00.001Z', '0001-01-01T00:00:00.000Z']) {
      expect(formatUtcTimestamp(new Date(iso))).toBe(iso);
    }
    let seed = 42;
    const random = () => (seed = (seed * 1_103_515_245 + 12_345) % 2 ** 31) / 2 ** 31;
    const mismatches: string[] = [];
    for (let i = 0; i < 5_000; i++) {
      const date = new Date(Math.floor(-62_135_596_800_000 + random() * (253_402_300_799_999 + 62_135_596_800_000)));
      if (formatUtcTimestamp(date) !== date.toISOString()) mismatches.push(date.toISOString());
    }
    expect(mismatches).toEqual([]);
  });
});
