/** How a table's rows were checked. */
export type ValidationMethod = 'count' | 'sample' | 'merge' | 'checksum';

/** The verdict for one table. */
export type TableStatus = 'ok' | 'mismatch' | 'error' | 'skipped';

/** A row's key: key column name to the value read (from the source, or the target for extra rows). */
export type RowKey = Record<string, unknown>;

/** One way the two schemas disagree. Any schema difference makes the table a mismatch. */
export interface SchemaDifference {
  kind:
    'table-missing-in-target' | 'table-missing-in-source' | 'column-missing-in-target' | 'column-missing-in-source' | 'incompatible-type';
  /** The column concerned, for column-level differences. */
  column?: string;
  /** Declared and logical type on each side, for `incompatible-type`. */
  sourceType?: string;
  targetType?: string;
  message: string;
}

/** One column whose values differ in a row present on both sides. */
export interface ColumnDifference {
  column: string;
  /** The values as each engine returned them. */
  source: unknown;
  target: unknown;
  /** The canonical forms that were compared, printable. */
  sourceNormalized: string;
  targetNormalized: string;
}

/** A row present on both sides whose values differ. */
export interface RowDifference {
  key: RowKey;
  columns: ColumnDifference[];
}

/**
 * What was found for one table.
 *
 * @example
 * ```ts
 * const users = report.tables.find((t) => t.table === 'users')!;
 * for (const row of users.differentRows) console.log(row.key, row.columns.map((c) => c.column));
 * ```
 */
export interface TableReport {
  table: string;
  status: TableStatus;
  /** How rows were checked; `count` when only counts were compared (or nothing could be read). */
  method: ValidationMethod;
  /** Key columns used to match rows (the primary key, or `keyColumns`). */
  keyColumns: string[];
  /** Rows on each side: exact (`count(*)`, or counted by the full scan); `null` when unknown. */
  sourceCount: number | null;
  targetCount: number | null;
  /** Rows present on both sides whose values were compared. */
  rowsCompared: number;
  /** Keys missing in the target (at most `maxDifferences`); `missingInTargetCount` is exact for what was checked. */
  missingInTarget: RowKey[];
  missingInTargetCount: number;
  /** Keys present only in the target (at most `maxDifferences`). */
  extraInTarget: RowKey[];
  extraInTargetCount: number;
  /** Rows whose values differ (at most `maxDifferences`). */
  differentRows: RowDifference[];
  differentRowsCount: number;
  /** True when `maxDifferences` cut the lists above; the counts stay exact. */
  truncated: boolean;
  /**
   * Differences the pass found that a second read of both rows right after no longer found
   * (rows written while the table was read, as under dual write); not in the lists or
   * counts above. Absent when there were none.
   */
  settledOnRecheck?: number;
  schemaDifferences: SchemaDifference[];
  /** The error message, when `status` is `error`. */
  error?: string;
  durationMs: number;
}

/**
 * The result of `validateDatabases` or `quickValidate`.
 *
 * @example
 * ```ts
 * const report = await validateDatabases(source, target);
 * console.log(report.summary);
 * process.exitCode = report.ok ? 0 : 1;
 * ```
 */
export interface ValidationReport {
  /** True when every table is `ok` (or `skipped` by request). */
  ok: boolean;
  /** A human-readable block: tables, rows, mismatches, duration, one line per table. */
  summary: string;
  tables: TableReport[];
  /** Totals over every table. */
  totals: {
    tables: number;
    sourceRows: number;
    targetRows: number;
    rowsCompared: number;
    mismatchedTables: number;
    erroredTables: number;
    missingInTarget: number;
    extraInTarget: number;
    differentRows: number;
  };
  durationMs: number;
}

/**
 * A progress event passed to `onProgress`.
 *
 * @example
 * ```ts
 * onProgress: (p) => p.phase === 'done' && console.log(`${p.tablesDone}/${p.tablesTotal} ${p.table}: ${p.status}`)
 * ```
 */
export interface ValidationProgress {
  table: string;
  phase: 'start' | 'rows' | 'done';
  /** Rows compared so far in this table. */
  rowsCompared: number;
  /** Tables finished so far, and in total. */
  tablesDone: number;
  tablesTotal: number;
  status?: TableStatus;
}

/**
 * Options of `quickValidate`.
 *
 * @example
 * ```ts
 * await quickValidate(source, target, { excludeTables: ['sessions'] });
 * ```
 */
export interface QuickValidateOptions {
  /** Only these tables (default: every table on either side). */
  tables?: string[];
  /** Leave these tables out. */
  excludeTables?: string[];
  /** Report a table that cannot be counted and go on (default `true` for counts). */
  continueOnError?: boolean;
}

/**
 * Options of `validateDatabases`.
 *
 * @example
 * ```ts
 * const options: ValidateOptions = { validateAllRows: true, keyColumns: { events: ['id'] }, ignoreColumns: ['updated_at'] };
 * ```
 */
export interface ValidateOptions {
  /** Only these tables (default: every table on either side). */
  tables?: string[];
  /** Leave these tables out. */
  excludeTables?: string[];
  /** Random source rows compared per table when `validateAllRows` is false. Default `100`. */
  sampleSize?: number;
  /** Compare every row (checksums of key ranges where both engines can, else a keyset-ordered merge). Default `false`. */
  validateAllRows?: boolean;
  /** A table that fails to read is reported with status `error` and the run goes on. Default `false`: the error is thrown. */
  continueOnError?: boolean;
  /** Key columns per table, for tables without a primary key (or to override it). */
  keyColumns?: Record<string, string[]>;
  /** Columns left out of the comparison: `['updated_at']` for every table, or per table `{ users: ['updated_at'] }`. */
  ignoreColumns?: string[] | Record<string, string[]>;
  /** Keys and differing rows collected per table; counting goes on past it. Default `100`. */
  maxDifferences?: number;
  /** Tables validated at the same time. Default `4`. */
  concurrency?: number;
  /** Timestamp precision compared: `'s'`, `'ms'` or `'us'` (default, what Postgres keeps); a coarser one reports values that differ below it as equal. */
  timestampPrecision?: 's' | 'ms' | 'us';
  /** Rows read per page in full validation. Default `5000` (`1000` when a side is D1). */
  pageSize?: number;
  /** Use SQL checksums of key ranges where both sides can compute the same one. Default `true`. */
  checksums?: boolean;
  /**
   * Read the rows found missing, extra or different again on both sides once the table is
   * compared, and report only the differences still there (see `TableReport.settledOnRecheck`):
   * a row written while its pages were read differs for that moment only. Default `true`.
   */
  recheckDifferences?: boolean;
  /** Called when a table starts, after each page, and when it is done. */
  onProgress?: (progress: ValidationProgress) => void;
}

/**
 * A row that still differs after {@link repair} wrote it, and why.
 *
 * @example
 * ```ts
 * for (const m of result.tables.flatMap((t) => t.stillDifferent)) console.error(m.key, m.reasons.join('; '));
 * ```
 */
export interface RepairMismatch {
  key: RowKey;
  /** One reason per differing column, e.g. that the target type cannot hold the source value. */
  reasons: string[];
}
