import { describe, expect, it } from 'vitest';
import { DEFAULT_CAPABILITIES, weakerCapabilities } from './capabilities';

describe('weakerCapabilities', () => {
  it('promises only what both engines can do', () => {
    const both = weakerCapabilities(DEFAULT_CAPABILITIES.sqlite, DEFAULT_CAPABILITIES.d1);
    expect(both).toEqual({
      transactions: false,
      returning: true,
      maxBoundParameters: 100,
      maxStatementBytes: 100_000,
      exactInt64: false,
    });
  });

  it('has no statement-size limit when neither engine has one', () => {
    const both = weakerCapabilities(DEFAULT_CAPABILITIES.sqlite, DEFAULT_CAPABILITIES.postgres);
    expect(both.maxStatementBytes).toBeUndefined();
    expect(both.maxBoundParameters).toBe(32766);
  });
});
