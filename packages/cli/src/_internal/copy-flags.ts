import type { CopyResult } from '@switchyard/copy';
import { CliUsageError } from '../cli-error';

/** `--key-columns events=device,seq --key-columns t2=a` as `{ events: ['device', 'seq'], t2: ['a'] }`. */
export function keyColumnsFlag(value: unknown): Record<string, string[]> | undefined {
  if (value === undefined) return undefined;
  const out: Record<string, string[]> = {};
  for (const item of Array.isArray(value) ? value : [value]) {
    const m = /^([^=]+)=(.+)$/.exec(String(item).trim());
    const columns =
      m?.[2]!
        .split(',')
        .map((c) => c.trim())
        .filter(Boolean) ?? [];
    if (!m || columns.length === 0) {
      throw new CliUsageError(
        `--key-columns takes <table>=<column>[,<column>...], e.g. --key-columns events=device_id,seq; got "${String(item)}".`,
        'copy',
      );
    }
    out[m[1]!.trim()] = columns;
  }
  return out;
}

// Library options named in copy errors, and the flag that sets each from the command line.
const FLAGS: [RegExp, string][] = [
  [/keyColumns(?:: \{ table: \[columns\] \})?/g, '--key-columns <table>=<a,b>'],
  [/keyless: 'skip'/g, '--skip-keyless'],
  [/\(exclude\)/g, '(--exclude <table>)'],
  [/options\.tables/g, '--tables'],
  [/continueOnError: true/g, '--continue-on-error'],
  [/options\.onConflict/g, '--on-conflict'],
  [/options\.(batchSize|concurrency|ranges)/g, '--$1'],
  [/run copyTables again/g, 'run the same command again'],
  [
    /the statements of translateSchema\([^)]*\)\)? on the target/g,
    '`switchyard schema <source> <target> --apply` (or pass --create-schema)',
  ],
];

/** The same error, its message naming the command's flags instead of library options. */
export function inCliWords(error: unknown): unknown {
  if (!(error instanceof Error)) return error;
  let message = error.message;
  for (const [pattern, flag] of FLAGS) message = message.replace(pattern, flag.replace('$1', '$1'));
  message = message.replace(
    /--(batchSize|concurrency|ranges)/g,
    (_m, name: string) => '--' + name.replace(/[A-Z]/g, (c) => '-' + c.toLowerCase()),
  );
  error.message = message;
  return error;
}

/** What a run planned besides rows: cycles and the tables left out. */
export function planSummary(result: CopyResult): string {
  const plan = result.plan;
  if (!plan) return '';
  const lines: string[] = [];
  if (plan.cycles.length > 0) {
    lines.push(
      `Foreign-key cycles (copied side by side, constraints checked afterwards): ${plan.cycles.map((c) => c.join(' <-> ')).join('; ')}`,
    );
  }
  if (plan.keyless.length > 0) {
    lines.push(`Not copied, no primary key: ${plan.keyless.join(', ')} (use --key-columns <table>=<a,b>, or see the runbook)`);
  }
  if (plan.excluded.length > 0) lines.push(`Excluded: ${plan.excluded.join(', ')}`);
  return lines.length ? lines.join('\n') + '\n' : '';
}
