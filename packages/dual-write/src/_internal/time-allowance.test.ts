import { describe, expect, it } from 'vitest';
import { allowanceText, timeAllowance } from './time-allowance';

describe('timeAllowance', () => {
  it('gives the timeout once up to 10,000, and once more for each 10,000 begun', () => {
    expect(timeAllowance(500, 0)).toBe(500);
    expect(timeAllowance(500, 10_000)).toBe(500);
    expect(timeAllowance(500, 10_001)).toBe(1_000);
    expect(timeAllowance(200, 150_000)).toBe(3_000);
  });

  it('names the allowance only where it is more than the timeout', () => {
    expect(allowanceText(500, 500, 'values')).toBe('500 ms (secondaryTimeoutMs)');
    expect(allowanceText(500, 1_500, 'rows')).toBe('1500 ms (secondaryTimeoutMs, 500 ms for each 10000 rows)');
  });
});
