import { describe, expect, it } from 'vitest';
import { allowanceText, timeAllowance, valueCount } from './time-allowance';

describe('timeAllowance', () => {
  it('gives the timeout once up to 5,000 values, and once more for each 5,000 begun', () => {
    expect(timeAllowance(500, 0, 'values')).toBe(500);
    expect(timeAllowance(500, 5_000, 'values')).toBe(500);
    expect(timeAllowance(500, 5_001, 'values')).toBe(1_000);
    expect(timeAllowance(200, 150_000, 'values')).toBe(6_000);
  });

  it('gives a lookup the timeout for each 1,000 rows', () => {
    expect(timeAllowance(500, 1_000, 'rows')).toBe(500);
    expect(timeAllowance(300, 25_000, 'rows')).toBe(7_500);
  });

  it('names the allowance only where it is more than the timeout', () => {
    expect(allowanceText(500, 500, 'values')).toBe('500 ms (secondaryTimeoutMs)');
    expect(allowanceText(500, 1_500, 'rows')).toBe('1500 ms (secondaryTimeoutMs, 500 ms for each 1000 rows)');
  });

  it('counts a large text or binary value once more for each 200 characters or bytes, and an array by its items', () => {
    expect(valueCount([1, 'abc', null, new Uint8Array(199)])).toBe(4);
    expect(valueCount(['x'.repeat(1_000_000)])).toBe(5_001);
    expect(valueCount([new Uint8Array(400), new ArrayBuffer(200)])).toBe(5);
    expect(valueCount([[1, 2, 3], ['y'.repeat(200)]])).toBe(2 + 3 + 2);
    expect(allowanceText(500, 1_000, 'values')).toBe('1000 ms (secondaryTimeoutMs, 500 ms for each 5000 values or 1 MB)');
  });
});
