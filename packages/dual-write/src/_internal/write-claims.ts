import type { Statement } from '@switchyard/core';
import type { RowRef } from '../row-ref';
import { statementTables } from './journal-tables';
import type { Step } from './replication-types';
import type { LockClaims } from './row-locks';
import { rowName } from './row-images';
import { replicatesNothing } from './primary-only';

/** Locks a write holds: its named rows, or its tables whole. */
export function claimsOf(steps: readonly Step[]): LockClaims {
  const claims: LockClaims = { sharedTables: [], exclusiveTables: [], rows: [] };
  for (const step of steps) {
    if (step.kind === 'replay') {
      const tables = statementTables([step.primary]);
      if (replicatesNothing(step)) continue;
      claims.exclusiveTables.push(...tables.filter((t) => t !== '*'));
      continue;
    }
    const { plan } = step;
    if (plan.named) {
      claims.sharedTables.push(plan.table.name);
      claims.rows.push(...plan.named.map((r) => rowName(r.table, r.key)));
    } else if (plan.newRowsOnly) claims.sharedTables.push(plan.table.name);
    else claims.exclusiveTables.push(plan.table.name);
  }
  return claims;
}

/** Locks the settling of a committed transaction holds: the rows it wrote, and the tables of the statements it replayed. */
export function transactionClaims(refs: readonly RowRef[], replays: readonly Statement[]): LockClaims {
  return {
    sharedTables: refs.map((r) => r.table),
    exclusiveTables: statementTables(replays).filter((t) => t !== '*'),
    rows: refs.map((r) => rowName(r.table, r.key)),
  };
}
