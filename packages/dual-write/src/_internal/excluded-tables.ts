import { statementKind } from '@switchyard/core';
import { ddlTable, writeTable } from './column-types';
import type { SideStatement } from './replication-types';
import { literalPattern } from './literal-pattern';

/** Why a statement gives the secondary nothing: it writes or defines a table of `excludeTables`. */
export const EXCLUDED_TABLE = 'a table in excludeTables, written on the primary alone';

/** The names of `excludeTables` as they are compared: lower case, without a schema. */
export function excludedNames(tables: readonly string[] | undefined): ReadonlySet<string> {
  return new Set((tables ?? []).map((t) => t.split('.').pop()!.toLowerCase()));
}

/**
 * The secondary's forms of a write's statements, with those that write or define a table
 * of `excluded` (an `INSERT`, `UPDATE` or `DELETE` of it, its `CREATE`, `ALTER` or `DROP
 * TABLE`, an index on it) marked {@link EXCLUDED_TABLE}: the primary runs them, nothing is
 * captured of them, and the secondary, which does not hold the table, is sent nothing.
 *
 * @example
 * ```ts
 * excludedForms(new Set(['__drizzle_migrations']), [{ sql: 'INSERT INTO "__drizzle_migrations" ("hash") VALUES (?)' }])[0].idle;
 * // EXCLUDED_TABLE
 * ```
 */
export function excludedForms(excluded: ReadonlySet<string>, statements: SideStatement[]): SideStatement[] {
  if (excluded.size === 0) return statements;
  return statements.map((s) => (s.idle || !namesExcluded(excluded, s.sql) ? s : { ...s, idle: EXCLUDED_TABLE }));
}

function namesExcluded(excluded: ReadonlySet<string>, sql: string): boolean {
  const kind = statementKind(sql);
  const table = kind === 'write' ? writeTable(sql) : kind === 'schema' ? ddlTable(sql) : undefined;
  return table !== undefined && excluded.has(table.toLowerCase());
}

/**
 * Finds a read of a table of `excluded` (its name as a word, bare or quoted), which the
 * secondary does not hold: such a read is neither routed nor shadowed there. `undefined`
 * when nothing is excluded. A name inside a string matches too: that read stays on the
 * primary, which costs a routed read, never a wrong answer.
 */
export function excludedReads(excluded: ReadonlySet<string>): RegExp | undefined {
  if (excluded.size === 0) return undefined;
  return new RegExp(`(?<![\\w$])(?:${literalPattern(...excluded)})(?![\\w$])`, 'i');
}
