import type { AdapterCapabilities } from '@switchyard/core';

/**
 * How many rows go into one INSERT statement and one batch for a target.
 *
 * @example
 * ```ts
 * const { rowsPerStatement, parameterShare } = planBatch(d1.capabilities, 8); // 12, 0.96
 * ```
 */
export interface BatchPlan {
  /** Rows per multi-row INSERT: as many as the bound-parameter and statement-size limits allow. */
  rowsPerStatement: number;
  /** INSERT statements sent together in one atomic `batch()`. */
  statementsPerBatch: number;
  /** Rows read from the source and written per batch. */
  rowsPerBatch: number;
  /** Bound parameters of a full statement. */
  paramsPerStatement: number;
  /** Share of the target's parameter limit a full statement uses (0..1). */
  parameterShare: number;
}

// Past a few hundred rows, longer statements stop paying off on engines with large
// limits and cost more to prepare; D1's 100 parameters bind long before this.
const MAX_ROWS_PER_STATEMENT = 500;
const DEFAULT_ROWS_PER_BATCH = 10_000;
// D1: a batch of ~1000 rows is one HTTP request over REST (1,200 requests per 5 minutes).
const D1_ROWS_PER_BATCH = 1000;

/**
 * The batch plan for writing rows of `columns` columns to a target with these
 * capabilities. On D1 (100 parameters) an 8-column table gets 12 rows per INSERT (96
 * parameters, 96% of the limit) and several INSERTs per `batch()`.
 *
 * @example
 * ```ts
 * planBatch({ maxBoundParameters: 100, maxStatementBytes: 100_000 }, 8)
 * // { rowsPerStatement: 12, paramsPerStatement: 96, parameterShare: 0.96, ... }
 * ```
 */
export function planBatch(
  capabilities: Pick<AdapterCapabilities, 'maxBoundParameters' | 'maxStatementBytes'>,
  columns: number,
  batchSize?: number,
): BatchPlan {
  const cols = Math.max(1, columns);
  let rows = Math.max(1, Math.floor(capabilities.maxBoundParameters / cols));
  if (capabilities.maxStatementBytes !== undefined) {
    // Each row adds "(?, ?, …), " to the text; keep a margin for the statement head and conflict clause.
    const perRow = cols * 3 + 4;
    const head = 2048 + cols * 96;
    rows = Math.min(rows, Math.max(1, Math.floor((capabilities.maxStatementBytes - head) / perRow)));
  }
  rows = Math.min(rows, MAX_ROWS_PER_STATEMENT);
  const small = capabilities.maxBoundParameters <= 1000;
  let rowsPerBatch = batchSize ?? (small ? Math.max(rows, Math.floor(D1_ROWS_PER_BATCH / rows) * rows) : DEFAULT_ROWS_PER_BATCH);
  rowsPerBatch = Math.max(1, Math.floor(rowsPerBatch));
  rows = Math.min(rows, rowsPerBatch);
  return {
    rowsPerStatement: rows,
    statementsPerBatch: Math.ceil(rowsPerBatch / rows),
    rowsPerBatch,
    paramsPerStatement: rows * cols,
    parameterShare: (rows * cols) / capabilities.maxBoundParameters,
  };
}
