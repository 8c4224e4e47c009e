// The bulk insert benchmark's table: each case's rows per second, and its ratio to the raw driver it is compared with.

/** One case's fastest run, and the case it is compared with. */
export interface Result {
  name: string;
  measures: string;
  seconds: number;
  baseline?: string;
}

/** Prints the cases of `results` (`rows` rows each, fastest of `runs` runs) as a table. */
export function printTable(results: Result[], rows: number, runs: number): void {
  const byName = new Map(results.map((r) => [r.name, r]));
  const lines = results.map((r) => {
    const rate = rows / r.seconds;
    const base = r.baseline ? byName.get(r.baseline) : undefined;
    const ratio = base ? (rows / r.seconds / (rows / base.seconds)).toFixed(2) + 'x' : '(baseline)';
    return [r.name, Math.round(rate).toLocaleString('en-US'), ratio, r.measures];
  });
  const header = ['case', 'rows/s', 'ratio vs raw', 'what one run does'];
  const widths = header.map((h, i) => Math.max(h.length, ...lines.map((l) => l[i]!.length)));
  const fmt = (cells: string[]) => cells.map((c, i) => (i === 1 || i === 2 ? c.padStart(widths[i]!) : c.padEnd(widths[i]!))).join('  ');
  console.log(
    `\nInsert ${rows.toLocaleString('en-US')} rows (id int, name text, score real, active bool, created_at timestamp); fastest of ${runs} runs (D1: ${process.env.BENCH_D1_RUNS ?? 1})\n`,
  );
  console.log(fmt(header));
  console.log(widths.map((w) => '-'.repeat(w)).join('  '));
  for (const l of lines) console.log(fmt(l));
  console.log('');
}
