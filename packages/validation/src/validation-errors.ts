import { SwitchyardError, type SwitchyardErrorOptions } from '@switchyard/core';

/**
 * A table could not be validated (a read failed) and `continueOnError` was off. The
 * table's name is in `table`; the engine's error is the `cause`.
 *
 * @example
 * ```ts
 * try { await validateDatabases(source, target); }
 * catch (e) { if (e instanceof ValidationError) console.error(e.table, e.cause); }
 * ```
 */
export class ValidationError extends SwitchyardError {
  /** The table being validated when it failed. */
  readonly table: string;

  constructor(table: string, message: string, options: SwitchyardErrorOptions = {}) {
    super('VALIDATION_FAILED', message, options);
    this.table = table;
  }
}
