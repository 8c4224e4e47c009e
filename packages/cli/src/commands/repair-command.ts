import type { RepairResult } from '@switchyard/validation';
import { ExitCode } from '../cli-error';
import type { CommandDefinition } from '../command-types';
import { expectPositionals } from '../_internal/args-parse';
import { withConnections } from '../_internal/connections-use';
import { reportDetails } from '../_internal/report-details';
import { jsonReplacer, VALIDATION_OPTIONS, validationOptions } from './validate-command';

const HELP = `Usage: switchyard repair <source> <target> [flags]

Makes <target> equal to <source> for the differences validation finds: inserts rows
missing in <target>, updates rows whose values differ, and deletes rows only in
<target> when --delete-extra is given. Every row is compared unless --sample is set.
Run it with --dry-run first to see what it would do.

Flags:
  --dry-run                 Report what would change; change nothing
  --delete-extra            Also delete rows that exist only in <target>
  --sample <n>              Repair what a sample of <n> rows per table finds
  --tables <a,b>            Only these tables
  --exclude <a,b>           Leave these tables out
  --ignore-columns <a,b>    Columns left out of the comparison
  --key-columns <t:a+b>     Key of a table without a primary key (repeatable)
  --json                    Print the validation report and the repair as JSON
  -h, --help                Show this help

Exit codes: 0 <target> is equal now (or already was), 1 differences remain
(--dry-run, or extra rows kept without --delete-extra), 2 error.

Examples:
  switchyard repair sqlite:./app.db postgres://app@localhost/app --dry-run
  switchyard repair sqlite:./app.db postgres://app@localhost/app
  switchyard repair postgres://app@db/app sqlite:./rollback.db --delete-extra
`;

/** `switchyard repair`: fix the differences validation finds. */
export const repairCommand: CommandDefinition = {
  name: 'repair',
  summary: 'Make the target equal to the source for the differences found',
  help: HELP,
  options: { ...VALIDATION_OPTIONS, 'dry-run': { type: 'boolean' }, 'delete-extra': { type: 'boolean' } },
  async run(args, io) {
    const [source, target] = expectPositionals(args, ['<source>', '<target>'], 'repair');
    const { quick: _quick, ...options } = validationOptions(args, 'repair');
    if (options.sampleSize === undefined) options.validateAllRows = true;
    options.maxDifferences ??= 10_000;
    const dryRun = Boolean(args.values['dry-run']);
    const deleteExtra = Boolean(args.values['delete-extra']);
    return withConnections(
      io,
      [
        { value: source!, role: '<source>' },
        { value: target!, role: '<target>' },
      ],
      async ([from, to]) => {
        const { validateDatabases, repair } = await import('@switchyard/validation');
        const report = await validateDatabases(from!, to!, options);
        if (report.tables.some((t) => t.status === 'error')) {
          io.stdout.write(report.summary.trimEnd() + '\n' + reportDetails(report));
          io.stderr.write('Some tables could not be validated (see above); nothing was repaired.\n');
          return ExitCode.error;
        }
        if (report.ok) {
          io.stdout.write(
            args.values.json
              ? JSON.stringify({ report, repair: null }, jsonReplacer, 2) + '\n'
              : 'Nothing to repair: <target> already equals <source>.\n',
          );
          return ExitCode.ok;
        }
        const repairOptions = { dryRun, deleteExtra, timestampPrecision: options.timestampPrecision };
        let result = await repair(report, from!, to!, repairOptions);
        const rounds: RepairResult[] = [result];
        // A report lists at most maxDifferences keys per table: validate again and repair
        // the next ones until nothing was cut off (a dry run stops after the first round).
        while (!dryRun && result.tables.some((t) => t.incomplete) && rounds.length < 100) {
          const next = await validateDatabases(from!, to!, options);
          if (next.ok) break;
          result = await repair(next, from!, to!, repairOptions);
          rounds.push(result);
        }
        if (args.values.json) io.stdout.write(JSON.stringify({ report, repair: rounds }, jsonReplacer, 2) + '\n');
        else {
          io.stdout.write(report.summary.trimEnd() + '\n' + reportDetails(report) + '\n');
          io.stdout.write(describeRepair(rounds, dryRun));
        }
        const extraKept = !deleteExtra && report.totals.extraInTarget > 0;
        // Written rows are read back: any still different means the repair did not succeed.
        const unrepaired = rounds.some((r) => r.stillDifferent > 0);
        return dryRun || extraKept || unrepaired ? ExitCode.mismatch : ExitCode.ok;
      },
    );
  },
};

/** One line per table: rows upserted, deleted, extra rows kept. */
export function describeRepair(rounds: readonly RepairResult[], dryRun: boolean): string {
  const totals = new Map<string, { upserted: number; deleted: number; extraKept: number }>();
  for (const round of rounds) {
    for (const t of round.tables) {
      const sum = totals.get(t.table) ?? { upserted: 0, deleted: 0, extraKept: 0 };
      sum.upserted += t.upserted;
      sum.deleted += t.deleted;
      sum.extraKept = t.extraKept;
      totals.set(t.table, sum);
    }
  }
  const verb = dryRun ? 'would' : '';
  const lines = [dryRun ? 'Repair plan (dry run, nothing changed):' : 'Repaired:'];
  for (const [table, t] of totals) {
    lines.push(
      `  ${table}: ${verb ? 'would write' : 'wrote'} ${t.upserted} row(s), ${verb ? 'would delete' : 'deleted'} ${t.deleted}` +
        (t.extraKept ? `, kept ${t.extraKept} extra row(s) (add --delete-extra to delete them)` : ''),
    );
  }
  const still = rounds[rounds.length - 1]!.tables.flatMap((t) => t.stillDifferent.map((m) => ({ table: t.table, ...m })));
  if (still.length > 0) {
    lines.push(`Still different after the repair: ${still.length} row(s), read back from both sides:`);
    for (const m of still.slice(0, 20)) lines.push(`  ${m.table} ${JSON.stringify(m.key, jsonReplacer)}: ${m.reasons.join('; ')}`);
    if (still.length > 20) lines.push(`  ... and ${still.length - 20} more (--json lists them all)`);
    lines.push('Change the target column type so it can hold these values, then copy or repair again.');
  }
  return lines.join('\n') + '\n';
}
