import { SwitchyardError } from '@switchyard/core';
import type { PostgresConnection } from '../postgres-connection';

/** Carries a transaction's own error past a failed ROLLBACK, marking the connection for disposal. */
export class RollbackFailed extends Error {
  constructor(
    readonly original: unknown,
    rollbackError: unknown,
  ) {
    super('ROLLBACK failed', { cause: rollbackError });
  }
}

/** Rethrows a transaction's own error in place of the {@link RollbackFailed} carrying it. */
export function unwrapRollbackFailure<T>(promise: Promise<T>): Promise<T> {
  return promise.catch((error: unknown) => {
    throw error instanceof RollbackFailed ? error.original : error;
  });
}

/** pg's transaction status from the last ReadyForQuery ('I' idle), when this pg version reports it. */
export function transactionStatus(client: PostgresConnection): string | null | undefined {
  const c = client as { getTransactionStatus?: () => string | null };
  return typeof c.getTransactionStatus === 'function' ? c.getTransactionStatus() : undefined;
}

/** True when the connection itself failed (socket closed, server shut down), not just a statement. */
export function isConnectionFailure(error: unknown): boolean {
  const e = (error instanceof SwitchyardError ? error.cause : error) as { code?: unknown; message?: unknown } | null;
  if (typeof e !== 'object' || e === null) return false;
  const code = typeof e.code === 'string' ? e.code : undefined;
  if (code !== undefined) return code.startsWith('08') || code.startsWith('57P') || /^E[A-Z]+$/.test(code);
  return /Connection terminated|not queryable|connection error/i.test(String(e.message ?? ''));
}
