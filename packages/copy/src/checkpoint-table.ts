/**
 * The table `copyTables` keeps its progress in, in the target: one row per table and
 * key range (see the README for its columns).
 *
 * @example
 * ```ts
 * await target.query(`SELECT table_name, status, sum(rows_copied) FROM ${CHECKPOINT_TABLE} GROUP BY 1, 2`);
 * ```
 */
export const CHECKPOINT_TABLE = '_switchyard_checkpoints';
