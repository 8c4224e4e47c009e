import { InvalidArgumentError } from '@switchyard/core';
import type { ControlEvent } from './control-events';
import type { ControlState } from './control-types';

/** `'primary-<name>'`. */
export type Mode = ControlState['mode'];

/** What the fleet control needs from the adapter it steers. */
export interface FleetHost {
  /** Runs `task` after the writes in flight, holding new ones until it ends. */
  exclusive<T>(task: () => Promise<T>): Promise<T>;
  mode(): Mode;
  /** The two modes, `primary-<first>` and `primary-<second>`. */
  readonly modes: readonly [Mode, Mode];
  /** Makes `mode` this instance's mode (a no-op when it already is). */
  adopt(mode: Mode): void;
  /** Replays what this instance journaled for the side becoming primary; throws if some remains (unless `force`). */
  settle(force: boolean): Promise<void>;
  /** Moves the side becoming primary's key generators past the old primary's. */
  advance(): Promise<void>;
  emit(event: ControlEvent): void;
}

/** Counters of the fleet control, for `getMetrics()`. */
export interface ControlCounters {
  unreachableRefreshes: number;
  pauses: number;
  longestPauseMs: number;
  lastPauseMs: number;
  pauseTimeouts: number;
}

/** Resolves after `ms`. */
export const sleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

/** A duration option checked: above 0 and finite, or the default. */
export function positive(name: string, value: number | undefined, fallback: number): number {
  if (value === undefined) return fallback;
  if (typeof value !== 'number' || !(value > 0) || !Number.isFinite(value))
    throw new InvalidArgumentError(`${name} is a number of milliseconds above 0, got ${String(value)}.`);
  return value;
}
