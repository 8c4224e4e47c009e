import type { CopyOptions, CopyResult } from '@switchyard/copy';
import { ExitCode } from '../cli-error';
import type { CommandDefinition } from '../command-types';
import { choiceFlag, expectPositionals, intFlag, listFlag } from '../_internal/args-parse';
import { withConnections } from '../_internal/connections-use';
import { fmt, ProgressView } from '../_internal/progress-view';
import { applyMissingSchema } from '../_internal/schema-apply';
import { inCliWords, keyColumnsFlag, planSummary } from '../_internal/copy-flags';

const HELP = `Usage: switchyard copy <source> <target> [flags]

Copies the rows of <source> into <target> while your app keeps writing (dual writes):
tables in foreign-key order, keyset pages, retries on transient errors. Progress is
kept in the _switchyard_checkpoints table of <target>, so a stopped copy (Ctrl-C, a
crash) resumes where it was when run again, and never writes a row twice.

Flags:
  --tables <a,b>            Only these tables (default: all, parents before children)
  --exclude <a,b>           Leave these tables out
  --key-columns <t=a,b>     For table t without a primary key, page and resume by the
                            unique, not-null columns a,b (repeat for more tables)
  --skip-keyless            Copy every other table when some have no primary key
                            (they are listed; copy them with --key-columns, or see
                            the runbook for a quiet source)
  --batch-size <n>          Rows per batch (default: as many as <target>'s limits allow)
  --on-conflict <mode>      Rows already in <target>: skip (default), update or error
  --concurrency <n>         Key ranges copied at once, across tables (default: 1)
  --ranges <n>              Key ranges per table (default: --concurrency)
  --no-checkpoint           Keep no progress table in <target>
  --no-resume               Start over, ignoring the progress of an earlier run
  --dry-run                 Plan and count only; write nothing
  --continue-on-error       Record a batch that keeps failing and go on with the rest
  --retries <n>             Retries of a batch on transient errors (default: 5)
  --retry-delay <ms>        First retry delay, doubled each attempt (default: 200)
  --worker-id <name>        This worker's name in the checkpoint table (default:
                            host, pid and a random suffix)
  --claim-timeout <ms>      On a PostgreSQL target shared by several workers, take
                            over a range whose worker was silent this long (30000)
  --no-copy-fast-path       Use multi-row INSERTs instead of COPY FROM STDIN
  --no-sync-sequences       Leave identity/serial sequences where they are
  --no-reconcile            Skip re-reading each batch for writes made meanwhile:
                            faster, for a <source> nothing writes to during the copy
  --create-schema           First create the tables <target> lacks (translated DDL,
                            as \`switchyard schema --apply\` does)
  --identifier-case <case>  With --create-schema on PostgreSQL: lower or preserve
                            (see \`switchyard schema --help\`)
  --json                    Print the result as JSON instead of a summary
  -h, --help                Show this help

Tables that reference each other (a foreign-key cycle, or a table referencing itself)
are copied side by side: on PostgreSQL their foreign keys are dropped for the copy and
added back NOT VALID, then validated; on SQLite enforcement is off until the copy ends.
Every wait (parents first, another worker's claim) is printed with its reason, and
--dry-run prints the order, the cycles and the tables without a key.

Exit codes: 0 every table copied, 2 a table failed or the copy was stopped.

Examples:
  switchyard copy sqlite:./app.db postgres://app@localhost/app --create-schema
  switchyard copy d1://<account-id>/<database-id> postgres://app@db/app --concurrency 4
  switchyard copy postgres://app@db/app sqlite:./rollback.db --create-schema --on-conflict update
  # a second machine joining a big copy into PostgreSQL:
  switchyard copy sqlite:./app.db postgres://app@db/app --concurrency 4 --worker-id copier-2
`;

/** `switchyard copy`: the resumable backfill. */
export const copyCommand: CommandDefinition = {
  name: 'copy',
  summary: 'Copy every row from one database to another (resumable backfill)',
  help: HELP,
  options: {
    tables: { type: 'string', multiple: true },
    exclude: { type: 'string', multiple: true },
    'key-columns': { type: 'string', multiple: true },
    'skip-keyless': { type: 'boolean' },
    'batch-size': { type: 'string' },
    'on-conflict': { type: 'string' },
    concurrency: { type: 'string' },
    ranges: { type: 'string' },
    checkpoint: { type: 'boolean' },
    resume: { type: 'boolean' },
    'dry-run': { type: 'boolean' },
    'continue-on-error': { type: 'boolean' },
    retries: { type: 'string' },
    'retry-delay': { type: 'string' },
    'worker-id': { type: 'string' },
    'claim-timeout': { type: 'string' },
    'copy-fast-path': { type: 'boolean' },
    'sync-sequences': { type: 'boolean' },
    reconcile: { type: 'boolean' },
    'create-schema': { type: 'boolean' },
    'identifier-case': { type: 'string' },
    json: { type: 'boolean' },
  },
  async run(args, io) {
    const [source, target] = expectPositionals(args, ['<source>', '<target>'], 'copy');
    const v = args.values;
    const options: CopyOptions = {};
    const tables = listFlag(v.tables);
    if (tables) options.tables = tables;
    const exclude = listFlag(v.exclude);
    if (exclude) options.exclude = exclude;
    const keyColumns = keyColumnsFlag(v['key-columns']);
    if (keyColumns) options.keyColumns = keyColumns;
    if (v['skip-keyless']) options.keyless = 'skip';
    const batchSize = intFlag(v['batch-size'], 'batch-size', 'copy');
    if (batchSize) options.batchSize = batchSize;
    const onConflict = choiceFlag(v['on-conflict'], 'on-conflict', ['skip', 'update', 'error'] as const, 'copy');
    if (onConflict) options.onConflict = onConflict;
    const concurrency = intFlag(v.concurrency, 'concurrency', 'copy', { max: 64 });
    if (concurrency) options.concurrency = concurrency;
    const ranges = intFlag(v.ranges, 'ranges', 'copy', { max: 1024 });
    if (ranges) options.ranges = ranges;
    const retries = intFlag(v.retries, 'retries', 'copy', { min: 0, max: 100 });
    if (retries !== undefined) options.retries = retries;
    const retryDelay = intFlag(v['retry-delay'], 'retry-delay', 'copy', { min: 0 });
    if (retryDelay !== undefined) options.retryDelayMs = retryDelay;
    const claimTimeout = intFlag(v['claim-timeout'], 'claim-timeout', 'copy', { min: 1000 });
    if (claimTimeout !== undefined) options.claimTimeoutMs = claimTimeout;
    if (typeof v['worker-id'] === 'string') options.workerId = v['worker-id'];
    if (v['copy-fast-path'] === false) options.copyFastPath = false;
    if (v['sync-sequences'] === false) options.syncSequences = false;
    if (v.checkpoint === false) options.checkpoint = false;
    if (v.resume === false) options.resume = false;
    if (v.reconcile === false) options.reconcile = false;
    if (v['dry-run']) options.dryRun = true;
    if (v['continue-on-error']) options.continueOnError = true;
    if (io.signal) options.signal = io.signal;

    return withConnections(
      io,
      [
        { value: source!, role: '<source>' },
        { value: target!, role: '<target>', create: true },
      ],
      async ([from, to]) => {
        if (v['create-schema']) {
          const identifierCase = choiceFlag(v['identifier-case'], 'identifier-case', ['lower', 'preserve'] as const, 'copy');
          const created = await applyMissingSchema(from!, to!, { tables, exclude, dryRun: Boolean(v['dry-run']), identifierCase });
          for (const line of created.lines) io.stderr.write(line + '\n');
        }
        const view = v.json ? undefined : new ProgressView(io.stderr);
        const { copyTables } = await import('@switchyard/copy');
        const result: CopyResult = await copyTables(from!, to!, {
          ...options,
          onNotice: (n) => io.stderr.write(`${n.kind}: ${n.table ? `${n.table}: ` : ''}${n.message}\n`),
          onProgress: (p) =>
            view?.update({
              table: p.table,
              rowsCopied: p.rowsCopiedAllRuns,
              totalRows: p.totalRows,
              rowsPerSecond: p.rowsPerSecond,
              etaMs: p.etaMs,
            }),
        }).catch((error: unknown) => {
          throw inCliWords(error);
        });
        if (view) {
          for (const t of result.tables) if (t.status === 'done') view.finish(t.table, t.rowsCopied, t.totalRows);
          view.close();
        }
        io.stdout.write(v.json ? JSON.stringify(result, null, 2) + '\n' : copySummary(result, Boolean(v['dry-run'])) + planSummary(result));
        if (result.aborted) {
          io.stderr.write('The copy was stopped; its progress is saved. Run the same command again to resume.\n');
          return ExitCode.error;
        }
        return result.summary.tablesFailed > 0 ? ExitCode.error : ExitCode.ok;
      },
    );
  },
};

/** The block printed after a copy: one line per table, then the totals. */
export function copySummary(result: CopyResult, dryRun: boolean): string {
  const width = Math.max(5, ...result.tables.map((t) => t.table.length));
  const lines = [
    '',
    dryRun ? 'Copy plan (dry run, nothing written)' : 'Copy summary',
    `${'table'.padEnd(width)}  ${'status'.padEnd(8)} ${'rows'.padStart(10)} ${'written'.padStart(10)} ${'skipped'.padStart(10)}  method  time`,
  ];
  for (const t of result.tables) {
    lines.push(
      `${t.table.padEnd(width)}  ${t.status.padEnd(8)} ${fmt(dryRun ? t.totalRows : t.rowsCopied).padStart(10)} ${fmt(t.rowsWritten).padStart(10)} ${fmt(t.rowsSkipped).padStart(10)}  ${t.method.padEnd(6)}  ${(t.durationMs / 1000).toFixed(1)}s` +
        (t.error ? `\n  error: ${t.error}` : ''),
    );
  }
  const s = result.summary;
  lines.push(
    `Tables: ${s.tablesDone}/${s.tables} done${s.tablesFailed ? `, ${s.tablesFailed} failed` : ''}. Rows: ${fmt(s.rowsCopied)} copied, ${fmt(s.rowsWritten)} written, ${fmt(s.rowsSkipped)} skipped (already there). ${(s.durationMs / 1000).toFixed(1)}s, ${fmt(s.rowsPerSecond)} rows/s.`,
  );
  return lines.join('\n') + '\n';
}
