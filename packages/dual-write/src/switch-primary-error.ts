import { SwitchyardError, type SwitchyardErrorCode, type SwitchyardErrorOptions } from '@switchyard/core';

/**
 * Why `switchPrimary()` refused or called off a switch:
 * - `journal-pending`: journaled writes have not reached the side that would become primary;
 * - `store-unreachable`: the fleet's control store did not answer, so nothing was switched;
 * - `store-incomplete`: the control store did not take the switch's final step;
 * - `fleet-timeout`: live instances did not hold their writes in time, so the switch was called off.
 */
export type SwitchPrimaryFailure = 'journal-pending' | 'store-unreachable' | 'store-incomplete' | 'fleet-timeout';

const CODES: Record<SwitchPrimaryFailure, SwitchyardErrorCode> = {
  'journal-pending': 'SECONDARY_WRITE_FAILED',
  'store-unreachable': 'CONNECTION_FAILED',
  'store-incomplete': 'CONNECTION_FAILED',
  'fleet-timeout': 'TIMEOUT',
};

/**
 * `switchPrimary()` did not switch: `reason` says why, the message what to do. Every
 * instance keeps (or returns to) the mode it had; call `switchPrimary()` again once the
 * cause is fixed.
 *
 * @example
 * ```ts
 * try { await adapter.switchPrimary(); }
 * catch (e) { if (e instanceof SwitchPrimaryError && e.reason === 'journal-pending') await adapter.replayJournal(); }
 * ```
 */
export class SwitchPrimaryError extends SwitchyardError {
  /** Why the switch did not happen. */
  readonly reason: SwitchPrimaryFailure;

  constructor(reason: SwitchPrimaryFailure, message: string, options: SwitchyardErrorOptions = {}) {
    super(CODES[reason], message, options);
    this.reason = reason;
  }
}
