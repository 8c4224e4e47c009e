import { ConstraintError, QueryError, SwitchyardError, TransientError, UnsupportedError } from '@switchyard/core';

// Messages D1 gives for failures that a retry may cure.
const TRANSIENT =
  /network connection lost|overloaded|internal error|D1_RESET_DO|reset because its code was updated|storage operation exceeded timeout|timed? ?out/i;
const TRANSACTION_STATEMENT = /state\.storage\.transaction|BEGIN TRANSACTION or SAVEPOINT/i;

/** Maps an error from D1 (binding or REST) to a typed Switchyard error. */
export function toD1Error(error: unknown, name: string, sql: string | undefined): SwitchyardError {
  if (error instanceof SwitchyardError) return error;
  const raw = error instanceof Error ? error.message : String(error);
  const message = `${name}: ${raw.replace(/^D1_ERROR:\s*/, '')}`;
  const options = { dialect: 'd1' as const, sql, cause: error };
  if (/constraint/i.test(raw)) return new ConstraintError(message, options);
  if (TRANSACTION_STATEMENT.test(raw)) {
    return new UnsupportedError(
      `${name}: D1 does not accept BEGIN, COMMIT or SAVEPOINT statements. ` +
        'Use batch([...statements]), which D1 runs as one transaction.',
      options,
    );
  }
  if (TRANSIENT.test(raw)) return new TransientError(message, options);
  return new QueryError(message, options);
}
