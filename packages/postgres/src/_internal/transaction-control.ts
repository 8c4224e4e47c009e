import type { TransactionSettings } from '@switchyard/core';
import { RollbackFailed } from './connection-health';
import { beginStatement } from './transaction-begin';

/** The statements that open, commit and roll back one transaction or savepoint. */
export interface TransactionControl {
  begin: string;
  commit: string;
  rollback: string;
}

/**
 * The control statements of a transaction at `depth`: 0 is a real transaction, deeper
 * levels are savepoints inside it.
 */
export function transactionControl(depth: number, settings: TransactionSettings | undefined, adapterName: string): TransactionControl {
  if (depth === 0) return { begin: beginStatement(settings, adapterName), commit: 'COMMIT', rollback: 'ROLLBACK' };
  const savepoint = `sy_tx_${depth}`;
  return {
    begin: `SAVEPOINT ${savepoint}`,
    commit: `RELEASE SAVEPOINT ${savepoint}`,
    rollback: `ROLLBACK TO SAVEPOINT ${savepoint}; RELEASE SAVEPOINT ${savepoint}`,
  };
}

/** Runs `fn` between `begin` and `commit`, rolling back when it throws. */
export async function runControlled<T>(
  control: (sql: string) => Promise<void>,
  statements: TransactionControl,
  fn: () => Promise<T>,
): Promise<T> {
  await control(statements.begin);
  let result: T;
  try {
    result = await fn();
  } catch (error) {
    // The callback's own error goes back to the caller unchanged, even when the
    // rollback fails too (the connection is then destroyed, which ends the transaction).
    try {
      await control(statements.rollback);
    } catch (rollbackError) {
      throw new RollbackFailed(error, rollbackError);
    }
    throw error;
  }
  await control(statements.commit);
  return result;
}
