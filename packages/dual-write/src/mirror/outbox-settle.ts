import type { DatabaseAdapter } from '@switchyard/core';
import { causeClause } from './mirror-errors';
import type { MirrorOp } from './mirror-op';
import { applyOps, type ApplyOptions, type ApplyResult } from './op-apply';

/**
 * Whether an outbox entry's whole effect is the rows it names: rows captured on the
 * primary, with none of the app's statements (a table without a key, a schema change) and
 * no key moves (whose dependents are found by the keys the rows left). Only such an entry
 * can be settled from the primary's current rows; a statement's effect cannot be re-read.
 */
export function holdsRowsOnly(op: MirrorOp): boolean {
  return op.statements.length === 0 && (op.captured?.length ?? 0) > 0 && !op.moves?.length;
}

/**
 * The entry the secondary refused (`failed`), applied instead as its rows stand on the
 * primary now, which is what the secondary must hold in the end: the operator fixed the
 * row there (or deleted it). `undefined` when that fails too, the primary's row still
 * holding what the secondary refuses: the entry then stops the drain with its own error.
 */
export async function settleRefused(
  secondary: DatabaseAdapter,
  op: MirrorOp,
  failed: ApplyResult,
  options: ApplyOptions,
): Promise<ApplyResult | undefined> {
  if (!('error' in failed)) return undefined;
  const settle = new Map([[op.opId, causeClause(failed.error.cause)]]);
  const [result] = await applyOps(secondary, [op], { ...options, settle }).catch(() => []);
  return result && !('error' in result) ? result : undefined;
}
