import type { ValidationReport } from '@switchyard/validation';

const SHOWN = 5;

function key(k: Record<string, unknown>): string {
  return Object.entries(k)
    .map(([c, v]) => `${c}=${typeof v === 'bigint' ? v.toString() : JSON.stringify(v)}`)
    .join(', ');
}

/**
 * The first few differences of each table that has some, under the report's summary:
 * enough to see what is wrong; `--json` has them all.
 */
export function reportDetails(report: ValidationReport): string {
  const lines: string[] = [];
  for (const t of report.tables) {
    if (t.status === 'ok' || t.status === 'skipped') continue;
    lines.push('', `${t.table}: ${t.status}${t.error ? ` - ${t.error}` : ''}`);
    for (const d of t.schemaDifferences) lines.push(`  schema: ${d.message}`);
    for (const k of t.missingInTarget.slice(0, SHOWN)) lines.push(`  missing in target: ${key(k)}`);
    if (t.missingInTargetCount > SHOWN) lines.push(`  ... ${t.missingInTargetCount - SHOWN} more missing`);
    for (const k of t.extraInTarget.slice(0, SHOWN)) lines.push(`  extra in target:   ${key(k)}`);
    if (t.extraInTargetCount > SHOWN) lines.push(`  ... ${t.extraInTargetCount - SHOWN} more extra`);
    for (const r of t.differentRows.slice(0, SHOWN)) {
      const cols = r.columns.map((c) => `${c.column}: ${c.sourceNormalized} != ${c.targetNormalized}`).join('; ');
      lines.push(`  differs at ${key(r.key)}: ${cols}`);
    }
    if (t.differentRowsCount > SHOWN) lines.push(`  ... ${t.differentRowsCount - SHOWN} more rows differ`);
  }
  return lines.length ? lines.join('\n') + '\n' : '';
}
