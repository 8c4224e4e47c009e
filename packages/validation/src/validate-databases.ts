import { InvalidArgumentError, type DatabaseAdapter, type TableInfo } from '@switchyard/core';
import { KeyValueError } from './_internal/key-codec';
import { buildReport } from './_internal/report-build';
import { runPool } from './_internal/run-pool';
import { selectTables, skippedTables } from './_internal/table-names';
import { enginePair, planTable } from './_internal/table-plan';
import { errorText, skippedTableReport } from './_internal/table-report';
import { erroredTable, validateTable, type RunSettings } from './_internal/validate-table';
import { ValidationError } from './validation-errors';
import type { ValidateOptions, ValidationReport } from './validation-types';

/**
 * Proves that `target` holds the same data as `source`, table by table. Both schemas
 * are introspected; values are compared through the core normalization by logical type,
 * so `true` and `1`, a `timestamptz` and `'2024-01-01 10:00:00'`, or a JSON object and
 * JSON text with its keys in another order are equal, while a changed value, a
 * timestamp one second off or a lost int64 digit is reported.
 *
 * By default `sampleSize` random rows per table are compared by key (with exact row
 * counts). With `validateAllRows`, every row is compared: by checksums of key ranges
 * when both sides are one engine family (Postgres and Postgres, SQLite and SQLite),
 * otherwise by a keyset-ordered merge of both sides in pages.
 *
 * @example
 * ```ts
 * const report = await validateDatabases(sqlite, postgres, { validateAllRows: true, continueOnError: true });
 * console.log(report.summary);
 * if (!report.ok) process.exit(1);
 * ```
 */
export async function validateDatabases(
  source: DatabaseAdapter,
  target: DatabaseAdapter,
  options: ValidateOptions = {},
): Promise<ValidationReport> {
  const started = performance.now();
  const settings = resolveSettings(source, target, options);
  const [sourceTables, targetTables] = await Promise.all([source.introspect(), target.introspect()]);
  const bySource = byName(sourceTables);
  const byTarget = byName(targetTables);
  const names = selectTables([...bySource.keys(), ...byTarget.keys()], options);
  const pair = enginePair(source.dialect, target.dialect);
  const plans = names.map((name) => planTable(name, bySource.get(name), byTarget.get(name), options, pair));

  let done = 0;
  const progress: RunSettings['progress'] = (event) => {
    if (event.phase === 'done') done++;
    options.onProgress?.({ ...event, tablesDone: done, tablesTotal: plans.length });
  };
  const tables = await runPool(plans, options.concurrency ?? 4, async (plan) => {
    const tableStarted = performance.now();
    if (!plan.source && !plan.target) {
      const report = erroredTable(plan, `Table "${plan.name}" exists in neither database; check the tables option.`, tableStarted);
      progress({ table: plan.name, phase: 'done', rowsCompared: 0, status: 'error' });
      return report;
    }
    try {
      return await validateTable(plan, source, target, { ...settings, progress });
    } catch (error) {
      // A key that cannot be ordered or matched is the table's problem, like a missing key.
      if (!(error instanceof KeyValueError) && !options.continueOnError) {
        throw new ValidationError(
          plan.name,
          `Validating table "${plan.name}" failed: ${errorText(error)} ` +
            'Pass continueOnError: true to report the table as an error and validate the others.',
          { cause: error },
        );
      }
      const report = erroredTable(plan, error, tableStarted);
      progress({ table: plan.name, phase: 'done', rowsCompared: 0, status: 'error' });
      return report;
    }
  });
  const skipped = skippedTables([...bySource.keys(), ...byTarget.keys()], options).map(skippedTableReport);
  return buildReport([...tables, ...skipped], started, source, target);
}

function byName(tables: readonly TableInfo[]): Map<string, TableInfo> {
  const out = new Map<string, TableInfo>();
  // Postgres may hold one name in several schemas; `public` wins, as an unqualified name would.
  for (const table of tables) {
    const existing = out.get(table.name);
    if (!existing || (table.schema === 'public' && existing.schema !== 'public')) out.set(table.name, table);
  }
  return out;
}

function resolveSettings(source: DatabaseAdapter, target: DatabaseAdapter, options: ValidateOptions): Omit<RunSettings, 'progress'> {
  const count = (name: keyof ValidateOptions, value: number | undefined, fallback: number, min: number): number => {
    if (value === undefined) return fallback;
    if (!Number.isInteger(value) || value < min) {
      throw new InvalidArgumentError(`validateDatabases: ${name} must be an integer >= ${min}, got ${String(value)}.`);
    }
    return value;
  };
  if (options.keyColumns) {
    for (const [table, columns] of Object.entries(options.keyColumns)) {
      if (!Array.isArray(columns) || columns.length === 0) {
        throw new InvalidArgumentError(`validateDatabases: keyColumns.${table} must be a non-empty array of column names.`);
      }
    }
  }
  const precision = options.timestampPrecision ?? 'us';
  if (!['s', 'ms', 'us'].includes(precision)) {
    throw new InvalidArgumentError(`validateDatabases: timestampPrecision must be 's', 'ms' or 'us', got ${String(precision)}.`);
  }
  const onD1 = source.dialect === 'd1' || target.dialect === 'd1';
  count('concurrency', options.concurrency, 4, 1);
  return {
    sampleSize: count('sampleSize', options.sampleSize, 100, 0),
    validateAllRows: options.validateAllRows ?? false,
    maxDifferences: count('maxDifferences', options.maxDifferences, 100, 0),
    pageSize: count('pageSize', options.pageSize, onD1 ? 1000 : 5000, 1),
    checksums: options.checksums ?? true,
    recheck: options.recheckDifferences ?? true,
    normalize: { timestampPrecision: precision },
  };
}
