import type { ValidateOptions, ValidationReport } from '@switchyard/validation';
import { CliUsageError, ExitCode } from '../cli-error';
import type { CommandDefinition } from '../command-types';
import { choiceFlag, expectPositionals, intFlag, listFlag, type ParsedArgs } from '../_internal/args-parse';
import { withConnections } from '../_internal/connections-use';
import { reportDetails } from '../_internal/report-details';

const HELP = `Usage: switchyard validate <source> <target> [flags]

Checks that <target> holds the same data as <source>. By default it compares row
counts per table (quick); --sample compares random rows by primary key, --all every
row. Values are compared by logical type, so true and 1, a timestamptz and ISO text,
JSON with other key order are equal, while a changed value is reported.

Flags:
  --sample <n>              Compare <n> random rows per table
  --all                     Compare every row (streaming merge / range checksums)
  --tables <a,b>            Only these tables
  --exclude <a,b>           Leave these tables out
  --ignore-columns <a,b>    Columns left out of the comparison (e.g. updated_at)
  --key-columns <t:a+b>     Key of a table without a primary key (repeatable)
  --max-differences <n>     Differences listed per table (default: 100)
  --concurrency <n>         Tables validated at once (default: 4)
  --timestamp-precision <p> s, ms or us (default)
  --json                    Print the full report as JSON
  -h, --help                Show this help

Exit codes: 0 equal, 1 differences found, 2 error (so CI and runbooks can gate on it).

Examples:
  switchyard validate sqlite:./app.db postgres://app@localhost/app
  switchyard validate sqlite:./app.db postgres://app@localhost/app --sample 500
  switchyard validate d1://<account-id>/<database-id> postgres://app@db/app --all --json > report.json
`;

/** Validation flags shared by `validate` and `repair`. */
export const VALIDATION_OPTIONS = {
  sample: { type: 'string' },
  all: { type: 'boolean' },
  tables: { type: 'string', multiple: true },
  exclude: { type: 'string', multiple: true },
  'ignore-columns': { type: 'string', multiple: true },
  'key-columns': { type: 'string', multiple: true },
  'max-differences': { type: 'string' },
  concurrency: { type: 'string' },
  'timestamp-precision': { type: 'string' },
  json: { type: 'boolean' },
} as const;

/** Reads the validation flags into `validateDatabases` options. */
export function validationOptions(args: ParsedArgs, command: string): ValidateOptions & { quick: boolean } {
  const v = args.values;
  const sample = intFlag(v.sample, 'sample', command);
  if (sample !== undefined && v.all)
    throw new CliUsageError('--sample and --all exclude each other: --all already compares every row.', command);
  const options: ValidateOptions & { quick: boolean } = { quick: sample === undefined && !v.all, continueOnError: true };
  if (sample !== undefined) options.sampleSize = sample;
  if (v.all) options.validateAllRows = true;
  const tables = listFlag(v.tables);
  if (tables) options.tables = tables;
  // Switchyard's own bookkeeping (_switchyard_* tables) is left out by validation itself.
  const exclude = listFlag(v.exclude);
  if (exclude) options.excludeTables = exclude;
  const ignore = listFlag(v['ignore-columns']);
  if (ignore) options.ignoreColumns = ignore;
  const keys = listFlag(v['key-columns']);
  if (keys) {
    options.keyColumns = {};
    for (const entry of keys) {
      const [table, cols] = entry.split(':');
      if (!table || !cols) throw new CliUsageError(`--key-columns takes table:col1+col2, got "${entry}".`, command);
      options.keyColumns[table] = cols.split('+').filter(Boolean);
    }
  }
  const maxDifferences = intFlag(v['max-differences'], 'max-differences', command);
  if (maxDifferences) options.maxDifferences = maxDifferences;
  const concurrency = intFlag(v.concurrency, 'concurrency', command, { max: 64 });
  if (concurrency) options.concurrency = concurrency;
  const precision = choiceFlag(v['timestamp-precision'], 'timestamp-precision', ['s', 'ms', 'us'] as const, command);
  if (precision) options.timestampPrecision = precision;
  return options;
}

/** 0 when equal, 2 when a table could not be read, 1 when data differs. */
export function reportExitCode(report: ValidationReport): number {
  if (report.ok) return ExitCode.ok;
  return report.tables.some((t) => t.status === 'error') ? ExitCode.error : ExitCode.mismatch;
}

/** `switchyard validate`: are the two databases equal? */
export const validateCommand: CommandDefinition = {
  name: 'validate',
  summary: 'Compare two databases: counts, a sample, or every row (exit 1 on a difference)',
  help: HELP,
  options: { ...VALIDATION_OPTIONS },
  async run(args, io) {
    const [source, target] = expectPositionals(args, ['<source>', '<target>'], 'validate');
    const { quick, ...options } = validationOptions(args, 'validate');
    return withConnections(
      io,
      [
        { value: source!, role: '<source>' },
        { value: target!, role: '<target>' },
      ],
      async ([from, to]) => {
        const validation = await import('@switchyard/validation');
        const report = quick
          ? await validation.quickValidate(from!, to!, {
              ...(options.tables ? { tables: options.tables } : {}),
              ...(options.excludeTables ? { excludeTables: options.excludeTables } : {}),
            })
          : await validation.validateDatabases(from!, to!, options);
        io.stdout.write(
          args.values.json ? JSON.stringify(report, jsonReplacer, 2) + '\n' : report.summary.trimEnd() + '\n' + reportDetails(report),
        );
        return reportExitCode(report);
      },
    );
  },
};

/** JSON.stringify replacer for reports: bigint as text, bytes as hex. */
export function jsonReplacer(_key: string, value: unknown): unknown {
  if (typeof value === 'bigint') return value.toString();
  if (
    value &&
    typeof value === 'object' &&
    (value as { type?: string }).type === 'Buffer' &&
    Array.isArray((value as { data?: unknown }).data)
  ) {
    return Buffer.from((value as { data: number[] }).data).toString('hex');
  }
  return value;
}
