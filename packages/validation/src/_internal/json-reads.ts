import type { TablePlan } from './table-plan';

/**
 * The JSON columns one side of a Postgres-to-Postgres validation is asked for as `::text`,
 * which is what the exact comparison compares (see `ComparedColumn.exactText`): pg would
 * hand back the parsed document, which loses a `json` document's key order, repeated keys
 * and spacing, a `jsonb` number's scale, and the JSON `null` document (read as SQL NULL).
 * Between different engines nothing is cast: values compare as documents.
 */
export function jsonReads(
  plan: Pick<TablePlan, 'columns' | 'source' | 'target'>,
  side: 'source' | 'target',
  dialect: string,
  otherDialect: string,
): ReadonlySet<string> | undefined {
  const table = plan[side];
  if (dialect !== 'postgres' || otherDialect !== 'postgres' || !table) return undefined;
  const compared = new Set(plan.columns.map((c) => c.name));
  return new Set(table.columns.filter((c) => compared.has(c.name) && /^jsonb?$/i.test(c.declaredType)).map((c) => c.name));
}
