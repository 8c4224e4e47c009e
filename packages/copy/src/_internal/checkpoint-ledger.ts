import { hostname } from 'node:os';
import type { Statement } from '@switchyard/core';
import type { KeyValues } from './key-codec';

export type RangeStatus = 'pending' | 'running' | 'done' | 'failed';

/** One key range of one table: keys after `start` (exclusive) up to `end` (inclusive); `null` is unbounded. */
export interface RangeState {
  table: string;
  rangeId: number;
  start: KeyValues | null;
  end: KeyValues | null;
  lastKey: KeyValues | null;
  /**
   * Where the last committed batch started (`null`: at the range's open start), so a
   * resumed copy can reconcile that batch again; `undefined` when not recorded.
   */
  batchStart?: KeyValues | null;
  rowsCopied: number;
  status: RangeStatus;
  error: string | null;
  worker: string | null;
  updatedAt: string;
}

export interface RangeBounds {
  start: KeyValues | null;
  end: KeyValues | null;
}

/** The checkpoint advance that goes with a written batch; `commit()` runs once the batch is in. */
export interface Advance {
  statement?: Statement;
  commit(): void;
}

/** Where ranges and their progress live: the checkpoint table, or memory when checkpoints are off. */
export interface Ledger {
  prepare(): Promise<void>;
  reset(table: string): Promise<void>;
  list(table: string): Promise<RangeState[]>;
  /** Stores the ranges of a table unless another run or worker already did; returns what is stored. */
  plan(table: string, ranges: RangeBounds[]): Promise<RangeState[]>;
  /** Takes the next range this worker may copy, or `undefined`. */
  claim(table: string): Promise<RangeState | undefined>;
  advance(range: RangeState, batchStart: KeyValues | null, lastKey: KeyValues, rows: number, done: boolean): Advance;
  finish(range: RangeState): Promise<void>;
  fail(range: RangeState, error: string): Promise<void>;
  /** Hands a range back (on abort) so the next run takes it at once. */
  release(range: RangeState): Promise<void>;
  /**
   * Hands back at once the ranges still claimed by workers of this host whose process
   * is gone (a killed copy), or by this worker's own id (a stopped run under the same
   * name), instead of waiting for their heartbeat to go stale. Called before any claim.
   */
  releaseDeadLocalClaims(): Promise<{ table: string; worker: string; ranges: number }[]>;
}

/**
 * True for a default worker id (`host:pid:suffix`) of this host whose process no longer
 * exists. Ids given by the caller, other hosts and this process itself are never dead.
 */
export function isDeadLocalWorker(worker: string): boolean {
  const parts = worker.split(':');
  if (parts.length < 3) return false;
  const pid = Number(parts[parts.length - 2]);
  if (parts.slice(0, -2).join(':') !== hostname() || !Number.isInteger(pid) || pid <= 0 || pid === process.pid) return false;
  try {
    process.kill(pid, 0);
    return false;
  } catch (error) {
    return (error as { code?: unknown }).code === 'ESRCH';
  }
}

/** The time stamp a ledger writes to `updated_at`. */
export const ledgerStamp = (): string => new Date().toISOString();

/** Moves a range's progress past a written batch, once the batch is in. */
export function applyAdvance(range: RangeState, batchStart: KeyValues | null, lastKey: KeyValues, rows: number, done: boolean): void {
  range.batchStart = batchStart;
  range.lastKey = lastKey;
  range.rowsCopied += rows;
  if (done) range.status = 'done';
}
