import { SwitchyardError, type SwitchyardErrorOptions } from '@switchyard/core';
import type { CopyResult } from './copy-options';

/**
 * A batch kept failing after its retries. The failed key range is recorded in
 * `_switchyard_checkpoints` with this error; run `copyTables` again to resume, or pass
 * `continueOnError: true` to copy everything else first.
 *
 * @example
 * ```ts
 * try { await copyTables(source, target); }
 * catch (e) { if (e instanceof CopyFailedError) console.error(e.table, e.range, e.result.summary); }
 * ```
 */
export class CopyFailedError extends SwitchyardError {
  /** The table whose batch failed. */
  readonly table: string;
  /** The key range (start exclusive, end inclusive; `null` is unbounded) and the last key copied. */
  readonly range: { start: unknown[] | null; end: unknown[] | null; lastKey: unknown[] | null };
  /** What was copied before the copy stopped. */
  readonly result: CopyResult;

  constructor(
    message: string,
    details: { table: string; range: CopyFailedError['range']; result: CopyResult },
    options: SwitchyardErrorOptions = {},
  ) {
    super('QUERY_FAILED', message, options);
    this.table = details.table;
    this.range = details.range;
    this.result = details.result;
  }
}
