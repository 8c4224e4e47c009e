import type { Row } from '@switchyard/core';

/**
 * What to do when a copied row's primary key already exists in the target.
 *
 * @example
 * ```ts
 * await copyTables(source, target, { onConflict: 'update' }); // overwrite rows the target already has
 * ```
 */
export type OnConflict = 'skip' | 'update' | 'error';

/**
 * Progress of one table, reported after every batch.
 *
 * @example
 * ```ts
 * onProgress: (p) => console.log(`${p.table} ${p.rowsCopiedAllRuns}/${p.totalRows} ETA ${p.etaMs}ms`)
 * ```
 */
export interface CopyProgress {
  table: string;
  /** Rows read from the source for this table in this run. */
  rowsCopied: number;
  /** Rows the source held when the table was planned (an estimate while writes continue). */
  totalRows: number;
  /** Rows copied in total, counting earlier runs that this one resumes. */
  rowsCopiedAllRuns: number;
  /** Throughput of this run for this table. */
  rowsPerSecond: number;
  /** Estimated milliseconds left for this table, or `undefined` before the first batch. */
  etaMs: number | undefined;
}

/**
 * Something the copy wants its operator to know: why it waits, or what it did to the
 * target's constraints.
 *
 * @example
 * ```ts
 * onNotice: (n) => console.error(`[${n.kind}] ${n.table ?? ''} ${n.message}`)
 * ```
 */
export interface CopyNotice {
  kind: 'wait' | 'constraints' | 'resume';
  table?: string;
  message: string;
}

/**
 * What the copy plans to do, in the result of every run (and all a dry run returns
 * besides row counts): the table order, foreign-key cycles, and tables left out.
 *
 * @example
 * ```ts
 * const { plan } = await copyTables(source, target, { dryRun: true });
 * console.log(plan?.order, plan?.cycles, plan?.keyless);
 * ```
 */
export interface CopyPlan {
  /** Tables in the order they are copied (parents first). */
  order: string[];
  /** Groups of tables that reference each other; a group of one references itself. */
  cycles: string[][];
  /** Tables without a primary key (and no `keyColumns` entry): not copied. */
  keyless: string[];
  /** Tables left out by `exclude`. */
  excluded: string[];
}

/**
 * Options of {@link copyTables}.
 *
 * @example
 * ```ts
 * const options: CopyOptions = { tables: ['users', 'orders'], concurrency: 4, reconcile: true };
 * ```
 */
export interface CopyOptions {
  /** Tables to copy. Default: every table of the source, parents before children (foreign-key order). */
  tables?: string[];
  /**
   * Rows read and written per batch. Default: as many as the target's limits allow —
   * on D1, `floor(100 / columns)` rows per INSERT, several INSERTs per `batch()`.
   */
  batchSize?: number;
  /** Rows already in the target: `'skip'` (default) keeps them, `'update'` overwrites them, `'error'` fails. */
  onConflict?: OnConflict;
  /** Keep progress in `_switchyard_checkpoints` in the target. Default `true`. */
  checkpoint?: boolean;
  /** Continue from the checkpoint table when a previous run stopped. Default `true`; `false` starts over. */
  resume?: boolean;
  /** Key ranges copied at once (across tables and within a table). Default `1`. */
  concurrency?: number;
  /** Key ranges each table is split into. Default: `concurrency`. More ranges let more workers share a table. */
  ranges?: number;
  /** Plan only: read sizes and report what would be copied, write nothing. Default `false`. */
  dryRun?: boolean;
  /** Tables to leave out (by source name). Default: none. */
  exclude?: string[];
  /**
   * Columns that identify a row, for tables without a primary key: `{ events: ['device', 'seq'] }`.
   * They must be unique and not null in the source; the copy pages and resumes by them.
   */
  keyColumns?: Record<string, string[]>;
  /**
   * What to do with a table that has no primary key and no `keyColumns` entry:
   * `'error'` (default) stops before copying anything, `'skip'` copies every other table
   * and lists it in `plan.keyless`.
   */
  keyless?: 'error' | 'skip';
  /** Why the copy waits (parents, other workers' claims) and what it did to the target's constraints. */
  onNotice?: (notice: CopyNotice) => void;
  /** Called after every batch. */
  onProgress?: (progress: CopyProgress) => void;
  /** Stops the copy at the next batch boundary; the checkpoint is kept and the result says `aborted`. */
  signal?: AbortSignal;
  /** Rewrites a source row before it is written; return `null` to leave the row out. */
  transform?: (row: Row, table: string) => Row | null;
  /**
   * Re-read each batch's key span after writing it and apply what changed meanwhile
   * (upsert changed rows, delete vanished ones). Needed while dual writes run: an update
   * or delete the app makes on both sides between the copy's read and its write would
   * otherwise be overwritten by the older row. On a better-sqlite3 source, a batch is not
   * read again when nothing was written to the database since it was read; otherwise the
   * span is read again (as COPY text when that is how it was copied) and compared. Default
   * `true`; set `false` only when nothing writes to the source during the copy.
   */
  reconcile?: boolean;
  /** Record a batch that keeps failing and carry on with other ranges and tables. Default `false`: stop. */
  continueOnError?: boolean;
  /** Retries of a failing read or write on transient errors. Default `5`. */
  retries?: number;
  /** First retry delay; doubled on each attempt. Default `200`. */
  retryDelayMs?: number;
  /** Use `COPY FROM STDIN` on a Postgres target with a `pg` native handle (`@switchyard/postgres`; needs pg-copy-streams). Default `true`. */
  copyFastPath?: boolean;
  /** This worker's name in the checkpoint table. Default: host, pid and a random suffix. */
  workerId?: string;
  /**
   * On a Postgres target shared by several workers: a claim whose heartbeat is older than
   * this is taken over. Default `30000`.
   */
  claimTimeoutMs?: number;
  /** Move identity/serial sequences past the highest copied id (Postgres target). Default `true`. */
  syncSequences?: boolean;
}

/**
 * What happened to one table.
 *
 * @example
 * ```ts
 * if (result.tables.some((t) => t.status === 'failed')) process.exitCode = 1;
 * ```
 */
export type TableCopyStatus = 'done' | 'failed' | 'aborted' | 'planned';

/**
 * The outcome for one table.
 *
 * @example
 * ```ts
 * for (const t of result.tables) console.log(t.table, t.status, t.rowsCopied, t.method);
 * ```
 */
export interface TableCopyResult {
  table: string;
  status: TableCopyStatus;
  /** Rows read from the source and sent to the target in this run. */
  rowsCopied: number;
  /** Rows written (inserted or updated) by the target in this run. */
  rowsWritten: number;
  /** Rows left out: already present (`onConflict: 'skip'`) or dropped by `transform`. */
  rowsSkipped: number;
  /** Rows in the source when the table was planned. */
  totalRows: number;
  /** Key ranges of the table, and how many are done. */
  ranges: number;
  rangesDone: number;
  /** Rows per statement and per batch the target allows (the batch plan). */
  rowsPerStatement: number;
  rowsPerBatch: number;
  /** How rows were written: multi-row INSERT, or COPY through a staging table. */
  method: 'insert' | 'copy';
  durationMs: number;
  /** The last error, for a failed table. */
  error?: string;
}

/**
 * The result of {@link copyTables}.
 *
 * @example
 * ```ts
 * const { summary, aborted } = await copyTables(source, target);
 * console.log(summary.rowsCopied, Math.round(summary.rowsPerSecond), aborted);
 * ```
 */
export interface CopyResult {
  tables: TableCopyResult[];
  /** Order, cycles and tables left out. */
  plan?: CopyPlan;
  /** True when the signal stopped the copy; run again to resume. */
  aborted: boolean;
  summary: {
    tables: number;
    tablesDone: number;
    tablesFailed: number;
    rowsCopied: number;
    rowsWritten: number;
    rowsSkipped: number;
    durationMs: number;
    rowsPerSecond: number;
  };
}
