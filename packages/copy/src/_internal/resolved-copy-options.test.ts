import { InvalidArgumentError } from '@switchyard/core';
import { describe, expect, it } from 'vitest';
import { resolveCopyOptions } from './resolved-copy-options';

describe('resolveCopyOptions', () => {
  it('fills in every default once, frozen', () => {
    const resolved = resolveCopyOptions({});
    expect(resolved).toMatchObject({
      onConflict: 'skip',
      checkpoint: true,
      resume: true,
      concurrency: 1,
      ranges: 1,
      dryRun: false,
      exclude: [],
      keyColumns: {},
      keyless: 'error',
      reconcile: true,
      continueOnError: false,
      retries: 5,
      retryDelayMs: 200,
      copyFastPath: true,
      claimTimeoutMs: 30_000,
      syncSequences: true,
      batchSize: undefined,
      tables: undefined,
    });
    expect(resolved.workerId).toMatch(/:\d+:/);
    expect(Object.isFrozen(resolved)).toBe(true);
  });

  it('takes ranges from concurrency, whole numbers only', () => {
    expect(resolveCopyOptions({ concurrency: 3.7 })).toMatchObject({ concurrency: 3, ranges: 3 });
    expect(resolveCopyOptions({ concurrency: 2, ranges: 8, reconcile: false })).toMatchObject({
      concurrency: 2,
      ranges: 8,
      reconcile: false,
    });
  });

  it('refuses what cannot work, naming the option', () => {
    expect(() => resolveCopyOptions({ batchSize: 0 })).toThrow(InvalidArgumentError);
    expect(() => resolveCopyOptions({ ranges: -1 })).toThrow(/options\.ranges must be a number >= 1, got -1/);
    expect(() => resolveCopyOptions({ onConflict: 'replace' as never })).toThrow(
      "options.onConflict must be 'skip', 'update' or 'error', got 'replace'.",
    );
    expect(() => resolveCopyOptions({ keyless: 'ignore' as never })).toThrow("options.keyless must be 'error' or 'skip', got 'ignore'.");
  });
});
