import type { ConflictClause, TableInfo } from '@switchyard/core';
import type { SchemaScope } from './schema-columns';

// SQLite lets a constraint say what a plain INSERT or UPDATE does when it meets it:
// `UNIQUE ON CONFLICT REPLACE` deletes the row that holds the value, `IGNORE` skips the
// write. The app's statements rely on it, so a SQLite or D1 target keeps it; Postgres
// has no such clause, and is told.

/** Whether conflict clauses are written: SQLite or D1 to SQLite or D1. */
function keeps(scope: SchemaScope): boolean {
  return scope.from !== 'postgres' && scope.to !== 'postgres';
}

const same = (a: readonly string[], b: readonly string[]) =>
  a.length === b.length && a.every((c) => b.some((d) => d.toLowerCase() === c.toLowerCase()));

/** ` ON CONFLICT …` for a primary key or NOT NULL constraint, or `''`. */
export function conflictSuffix(
  table: TableInfo,
  constraint: 'primaryKey' | 'notNull',
  columns: readonly string[],
  scope: SchemaScope,
): string {
  if (!keeps(scope)) return '';
  const clause = table.conflictClauses?.find((c) => c.constraint === constraint && same(c.columns, columns));
  return clause ? ` ON CONFLICT ${clause.action}` : '';
}

/**
 * The `UNIQUE (…) ON CONFLICT …` table constraints a SQLite or D1 target keeps (a `CREATE
 * UNIQUE INDEX` cannot say it), with the names of the indexes they stand for. For a
 * Postgres target, a warning for each clause instead.
 */
export function uniqueConflicts(
  table: TableInfo,
  scope: SchemaScope,
  name: (n: string) => string,
): { lines: string[]; indexes: Set<string> } {
  const lines: string[] = [];
  const indexes = new Set<string>();
  for (const clause of table.conflictClauses ?? []) {
    if (!keeps(scope)) {
      scope.warnings.push(conflictWarning(table.name, clause));
      continue;
    }
    if (clause.constraint !== 'unique') continue;
    const index = table.indexes.find((i) => i.unique && i.where === undefined && same(i.columns, clause.columns));
    if (index) indexes.add(index.name);
    lines.push(`  UNIQUE (${clause.columns.map(name).join(', ')}) ON CONFLICT ${clause.action}`);
  }
  return { lines, indexes };
}

function conflictWarning(table: string, { constraint, columns, action }: ConflictClause): ConflictWarning {
  const what =
    constraint === 'notNull'
      ? `NOT NULL (${columns.join(', ')})`
      : `${constraint === 'unique' ? 'UNIQUE' : 'PRIMARY KEY'} (${columns.join(', ')})`;
  const target = columns.join(', ');
  const how =
    action === 'REPLACE'
      ? constraint === 'notNull'
        ? 'a NULL written there takes the column default on SQLite; on Postgres the write fails'
        : `a plain INSERT or UPDATE that meets another row's value deletes that row on SQLite; on Postgres it fails. Write INSERT … ON CONFLICT (${target}) DO UPDATE in the app`
      : action === 'IGNORE'
        ? `a write that violates it is skipped on SQLite; on Postgres it fails. Write INSERT … ON CONFLICT${constraint === 'notNull' ? '' : ` (${target})`} DO NOTHING in the app`
        : `a violation ${action === 'FAIL' ? 'keeps the rows the statement wrote before it' : 'rolls back the whole transaction'} on SQLite; on Postgres the statement is undone and the transaction fails`;
  return {
    table,
    column: columns.length === 1 ? columns[0] : undefined,
    kind: 'conflict',
    untranslated: true,
    message: `${what} declares ON CONFLICT ${action}: ${how}`,
    sql: `${what} ON CONFLICT ${action}`,
  };
}

type ConflictWarning = SchemaScope['warnings'][number];
