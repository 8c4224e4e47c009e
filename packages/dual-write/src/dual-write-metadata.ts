import type { ControlReport } from './control/control-types';

/**
 * What `getMetadata()` returns: the current roles and settings.
 *
 * @example
 * ```ts
 * const { mode, lastSwitchAt } = adapter.getMetadata();
 * ```
 */
export interface DualWriteMetadata {
  /** `'primary-<name>'` of the current primary. */
  mode: string;
  /** Name of the current primary. */
  primary: string;
  /** Name of the current secondary. */
  secondary: string;
  /** When `switchPrimary()` last swapped the roles, or `null`. */
  lastSwitchAt: Date | null;
  /** How many times the roles were swapped. */
  switchCount: number;
  verifyWrites: boolean;
  continueOnSecondaryFailure: boolean;
  /** Whether a secondary's constraint violation is settled by copying the rows from the primary. */
  takePrimaryOnConflict: boolean;
  /** Share of reads (0-100) sent to the secondary. */
  readSecondaryPercent: number;
  /** Share of reads (0-1) compared on both sides. */
  shadowReadSampleRate: number;
  /** Where failed writes are kept, e.g. `'memory'` or `'table:_switchyard_journal'`. */
  journal: string;
  /** Entries waiting in the journal. */
  journalDepth: number;
  /** When the secondary is written: `'sync'`, or `'async'` through a mirror. */
  secondaryWrites: 'sync' | 'async';
  /** Longest a write waits for the secondary (ms); `Infinity` when unbounded. */
  secondaryTimeoutMs: number;
  /**
   * Statement shapes seen so far that replicate as text rather than rows, with the reason
   * (up to 100). Every other write replicates the rows the primary left.
   */
  replicatedByStatement: { sql: string; reason: string }[];
  /**
   * The secondary's tables written so far whose triggers fire on replicated rows (see the
   * `secondary-trigger` event), found in the background after each table's first write.
   */
  secondaryTriggers: { table: string; triggers: string[] }[];
  /** With the `control` option: the record's epoch and mode as this instance follows them, its last refresh and age. */
  control: ControlReport | null;
}

/**
 * Options of `switchPrimary()`.
 *
 * @example
 * ```ts
 * await adapter.switchPrimary({ force: true });
 * ```
 */
export interface SwitchPrimaryOptions {
  /**
   * Swap even when the side about to become primary still misses journaled writes that
   * fail to replay. Reads would then miss those writes until `replayJournal()` applies them.
   * Default `false`.
   */
  force?: boolean;
}
