import { listTableNames, type DatabaseAdapter } from '@switchyard/core';
import { buildReport } from './_internal/report-build';
import { runPool } from './_internal/run-pool';
import { selectTables, skippedTables } from './_internal/table-names';
import { emptyTableReport, errorText, settleStatus, skippedTableReport } from './_internal/table-report';
import { countRows } from './_internal/validate-table';
import { yieldMacrotask } from './_internal/yield-macrotask';
import { ValidationError } from './validation-errors';
import type { QuickValidateOptions, TableReport, ValidationReport } from './validation-types';

// Counts are cheap statements; this many tables are counted at once.
const COUNT_CONCURRENCY = 8;

/**
 * Compares row counts per table, counting both sides at the same time: a cheap check
 * for a backfill's progress or a first look before {@link validateDatabases}. Tables on
 * one side only are a mismatch. The report has the same shape as `validateDatabases`'s
 * (every table's `method` is `'count'`).
 *
 * @example
 * ```ts
 * const quick = await quickValidate(sqlite, d1, { tables: ['users', 'orders'] });
 * if (!quick.ok) console.log(quick.summary);
 * ```
 */
export async function quickValidate(
  source: DatabaseAdapter,
  target: DatabaseAdapter,
  options: QuickValidateOptions = {},
): Promise<ValidationReport> {
  const started = performance.now();
  const [sourceNames, targetNames] = await Promise.all([listTableNames(source), listTableNames(target)]);
  const inSource = new Set(sourceNames);
  const inTarget = new Set(targetNames);
  const names = selectTables([...sourceNames, ...targetNames], options);
  // The engine that answers over the network goes first, so its count runs while SQLite's blocks.
  const [first, second] = source.dialect === 'sqlite' ? (['target', 'source'] as const) : (['source', 'target'] as const);
  const sides = { source, target };
  const tables = await runPool(names, COUNT_CONCURRENCY, async (name): Promise<TableReport> => {
    const tableStarted = performance.now();
    const report = emptyTableReport(name, 'count');
    const present = { source: inSource.has(name), target: inTarget.has(name) };
    try {
      const count = (side: 'source' | 'target') => (present[side] ? countRows(sides[side], { name }) : Promise.resolve(null));
      const pending = count(first);
      pending.catch(() => {});
      if (sides[first].dialect !== 'sqlite') await yieldMacrotask();
      const other = await count(second);
      const counts = { [first]: await pending, [second]: other } as Record<'source' | 'target', number | null>;
      report.sourceCount = counts.source;
      report.targetCount = counts.target;
      if (!present.source || !present.target) {
        report.schemaDifferences.push({
          kind: present.source ? 'table-missing-in-target' : 'table-missing-in-source',
          message:
            present.source || present.target
              ? `Table "${name}" exists only in the ${present.source ? 'source' : 'target'}.`
              : `Table "${name}" exists in neither database; check the tables option.`,
        });
      }
      settleStatus(report);
    } catch (error) {
      if (options.continueOnError === false) {
        throw new ValidationError(name, `Counting rows of "${name}" failed: ${errorText(error)}`, { cause: error });
      }
      report.status = 'error';
      report.error = errorText(error);
    }
    report.durationMs = performance.now() - tableStarted;
    return report;
  });
  const skipped = skippedTables([...sourceNames, ...targetNames], options).map(skippedTableReport);
  return buildReport([...tables, ...skipped], started, source, target);
}
