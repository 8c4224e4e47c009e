import { hostname } from 'node:os';
import { InvalidArgumentError, type Row } from '@switchyard/core';
import type { CopyNotice, CopyOptions, CopyProgress, OnConflict } from '../copy-options';

/**
 * {@link CopyOptions} checked and defaulted, once, at the start of `copyTables`: every
 * other part of the copy reads these and never applies a default of its own.
 */
export interface ResolvedCopyOptions {
  /** Tables named by the caller; `undefined`: every table of the source. */
  readonly tables: readonly string[] | undefined;
  /** Rows per batch asked for; `undefined`: as many as the target's limits allow. */
  readonly batchSize: number | undefined;
  readonly onConflict: OnConflict;
  readonly checkpoint: boolean;
  readonly resume: boolean;
  readonly concurrency: number;
  readonly ranges: number;
  readonly dryRun: boolean;
  readonly exclude: readonly string[];
  readonly keyColumns: Readonly<Record<string, string[]>>;
  readonly keyless: 'error' | 'skip';
  readonly onNotice: (notice: CopyNotice) => void;
  readonly onProgress: ((progress: CopyProgress) => void) | undefined;
  readonly signal: AbortSignal | undefined;
  readonly transform: ((row: Row, table: string) => Row | null) | undefined;
  readonly reconcile: boolean;
  readonly continueOnError: boolean;
  readonly retries: number;
  readonly retryDelayMs: number;
  readonly copyFastPath: boolean;
  readonly workerId: string;
  readonly claimTimeoutMs: number;
  readonly syncSequences: boolean;
}

const ON_CONFLICT: readonly OnConflict[] = ['skip', 'update', 'error'];
const KEYLESS = ['error', 'skip'] as const;

/** Checks every option of `copyTables` and fills in its default; throws {@link InvalidArgumentError} naming what to change. */
export function resolveCopyOptions(options: CopyOptions): ResolvedCopyOptions {
  const batchSize = atLeastOne('batchSize', options.batchSize);
  const concurrency = Math.max(1, Math.floor(atLeastOne('concurrency', options.concurrency) ?? 1));
  const ranges = Math.max(1, Math.floor(atLeastOne('ranges', options.ranges) ?? concurrency));
  const onConflict = oneOf('onConflict', options.onConflict, ON_CONFLICT) ?? 'skip';
  return Object.freeze({
    tables: options.tables,
    batchSize,
    onConflict,
    checkpoint: options.checkpoint ?? true,
    resume: options.resume ?? true,
    concurrency,
    ranges,
    dryRun: options.dryRun ?? false,
    exclude: options.exclude ?? [],
    keyColumns: options.keyColumns ?? {},
    keyless: oneOf('keyless', options.keyless, KEYLESS) ?? 'error',
    onNotice: options.onNotice ?? (() => {}),
    onProgress: options.onProgress,
    signal: options.signal,
    transform: options.transform,
    reconcile: options.reconcile ?? true,
    continueOnError: options.continueOnError ?? false,
    retries: options.retries ?? 5,
    retryDelayMs: options.retryDelayMs ?? 200,
    copyFastPath: options.copyFastPath ?? true,
    workerId: options.workerId ?? `${hostname()}:${process.pid}:${Math.random().toString(36).slice(2, 8)}`,
    claimTimeoutMs: options.claimTimeoutMs ?? 30_000,
    syncSequences: options.syncSequences ?? true,
  });
}

function atLeastOne(name: keyof CopyOptions, value: number | undefined): number | undefined {
  if (value !== undefined && (typeof value !== 'number' || !(value >= 1))) {
    throw new InvalidArgumentError(`options.${name} must be a number >= 1, got ${String(value)}.`);
  }
  return value;
}

function oneOf<T extends string>(name: keyof CopyOptions, value: T | undefined, allowed: readonly T[]): T | undefined {
  if (value === undefined || allowed.includes(value)) return value;
  const list = allowed.map((a) => `'${a}'`);
  throw new InvalidArgumentError(
    `options.${name} must be ${list.slice(0, -1).join(', ')} or ${list[list.length - 1]}, got '${String(value)}'.`,
  );
}
