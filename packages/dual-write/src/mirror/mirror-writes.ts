import type { DatabaseAdapter, ExecResult, Statement } from '@switchyard/core';
import type { MirrorOp } from './mirror-op';
import type { Mirror } from './mirror-types';

/**
 * Runs one write on the primary together with what its mirror needs there (the outbox
 * entry), atomically, then hands the operation to the mirror. Returns the write's own
 * results, as if it had run alone. This is the write path of `secondaryWrites: 'async'`.
 *
 * @example
 * ```ts
 * const [result] = await writeThroughMirror(mirror, primary, 'execute', [{ sql, params }]);
 * ```
 */
export async function writeThroughMirror(
  mirror: Mirror,
  primary: DatabaseAdapter,
  kind: 'execute' | 'batch',
  primaryStatements: readonly Statement[],
  secondaryStatements: readonly Statement[] = primaryStatements,
): Promise<ExecResult[]> {
  const prepared = await mirror.prepare(secondaryStatements, primaryStatements);
  let results: ExecResult[];
  if (kind === 'execute' && prepared.statements.length === 1) {
    const s = prepared.statements[0]!;
    results = [await primary.execute(s.sql, s.params ?? [])];
  } else {
    // One batch: the write and its entry commit together or not at all.
    results = await primary.batch(prepared.statements);
  }
  await mirror.commit(prepared.op);
  return results.slice(0, prepared.resultCount);
}

/**
 * Inside a primary transaction, just before it commits: writes what the mirror needs for
 * the transaction's recorded writes (the outbox entry), so it commits with them. Returns
 * the operation to pass to `mirror.commit()` after the commit, or `undefined` when the
 * transaction wrote nothing.
 *
 * @example
 * ```ts
 * const op = await primary.transaction(async (tx) => { ...; return recordInTransaction(mirror, tx, recorded); });
 * if (op) await mirror.commit(op);
 * ```
 */
export async function recordInTransaction(
  mirror: Mirror,
  tx: DatabaseAdapter,
  recorded: readonly Statement[],
): Promise<MirrorOp | undefined> {
  if (recorded.length === 0) return undefined;
  const prepared = await mirror.prepare(recorded, []);
  for (const s of prepared.statements) await tx.execute(s.sql, s.params ?? []);
  return prepared.op;
}
