import type { UntranslatedForm } from './sqlite-postgres-translate';

/**
 * What rehearsing one statement shape on the target found:
 * - `works`: it ran there (a write inside a transaction rolled back, or under `EXPLAIN`);
 * - `fails`: the target refused it, `error` says why;
 * - `differs`: a read ran but returned other rows than the primary did;
 * - `untranslated`: it holds a SQLite-only form outside the translation table (and may also have failed).
 */
export type RehearsalOutcome = 'works' | 'fails' | 'differs' | 'untranslated';

/** One distinct statement shape the app sent. */
export interface RehearsedShape {
  /** The statement with literals and placeholders blanked and whitespace collapsed. */
  shape: string;
  /** The first statement of this shape, as the app sent it. */
  example: string;
  kind: 'read' | 'write' | 'schema';
  /** How many times the app sent it. */
  count: number;
  outcome: RehearsalOutcome;
  /** The target's error, for `fails`. */
  error?: string;
  /** How the rows differed, for `differs`. */
  difference?: string;
  /** Ids of translation rules applied before it ran on the target. */
  translated: string[];
  /** The text the target ran, when a translation changed it. */
  targetSql?: string;
  untranslated: UntranslatedForm[];
  /** How it was checked: run in a rolled-back transaction, `EXPLAIN`ed, or read and compared. */
  method: 'rolled-back' | 'explain' | 'read';
}

/** Everything a rehearsal has found so far. */
export interface RehearsalReport {
  source: string;
  target: string;
  shapes: RehearsedShape[];
  totals: Record<RehearsalOutcome, number> & { shapes: number; statements: number };
}

/**
 * The report as text: one line per shape that needs attention, then the totals.
 *
 * @example
 * ```ts
 * console.log(formatRehearsalReport(rehearsal.report()));
 * ```
 */
export function formatRehearsalReport(report: RehearsalReport): string {
  const lines = [`Rehearsal of ${report.source} statements on ${report.target}:`];
  for (const s of report.shapes) {
    const via = s.translated.length > 0 ? ` [translated: ${s.translated.join(', ')}]` : '';
    let detail = '';
    if (s.outcome === 'fails') detail = `\n      error: ${s.error}`;
    else if (s.outcome === 'differs') detail = `\n      ${s.difference}`;
    else if (s.outcome === 'untranslated')
      detail = s.untranslated.map((u) => `\n      ${u.id}: ${u.message}`).join('') + (s.error ? `\n      error: ${s.error}` : '');
    lines.push(`  ${s.outcome.padEnd(12)} x${s.count} ${s.shape}${via}${detail}`);
  }
  const t = report.totals;
  lines.push(
    `${t.shapes} shapes (${t.statements} statements): ${t.works} work, ${t.fails} fail, ${t.differs} differ, ${t.untranslated} untranslated`,
  );
  return lines.join('\n');
}
