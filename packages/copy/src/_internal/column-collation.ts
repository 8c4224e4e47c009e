import type { ColumnInfo } from '@switchyard/core';
import type { SchemaWarning } from '../schema-warning';
import type { SchemaScope } from './schema-columns';
import type { SchemaCollation } from './postgres-collations';

/** Byte-order collations: Postgres's, which SQLite's BINARY, its default, compares as, and BINARY itself. */
export const BYTE_ORDER = /^("C"|"POSIX"|ucs_basic|BINARY)$/;

/**
 * The schema's own collation of that name (from `objects`), its `CREATE COLLATION` put
 * ahead of the tables once, so a Postgres target's `COLLATE` names something.
 */
export function ownCollation(collation: string, scope: SchemaScope): SchemaCollation | undefined {
  const own = scope.objects?.collations?.find((c) => c.name === collation);
  if (own && scope.to === 'postgres' && !scope.pre.includes(own.sql)) scope.pre.push(own.sql);
  return own;
}

/**
 * The `COLLATE` clause a column keeps on the target, or `''` with a warning where the
 * target has no collation of that name. SQLite -> SQLite and D1 and Postgres -> Postgres keep
 * it (a collation of the schema's own is created first, from `objects`); between engines
 * only Postgres's byte order carries over, as SQLite's default.
 */
export function collationClause(table: string, column: ColumnInfo, scope: SchemaScope): string {
  const collation = column.collation;
  if (!collation) return '';
  const toPg = scope.to === 'postgres';
  if (scope.from !== 'postgres') {
    if (!toPg) return ` COLLATE ${collation}`;
    scope.warnings.push(sqliteCollationWarning(table, column.name, collation));
    return '';
  }
  const own = ownCollation(collation, scope);
  if (toPg) return ` COLLATE ${collation}`;
  if (BYTE_ORDER.test(collation)) return '';
  const how =
    own?.deterministic === false
      ? `takes strings it does not tell apart (case-insensitive, say) for equal in =, its unique indexes and ORDER BY; SQLite compares bytes, so 'A@x' and 'a@x' would differ. For a case-insensitive collation, columnTypes: { '${table}.${column.name}': 'TEXT COLLATE NOCASE' }`
      : 'sorts by its locale; SQLite compares bytes (BINARY), so ORDER BY and range conditions order its text differently';
  scope.warnings.push({
    table,
    column: column.name,
    kind: 'collation',
    untranslated: true,
    message: `"${column.name}" has COLLATE ${collation} on Postgres, which ${how}`,
    sql: `COLLATE ${collation}`,
  });
  return '';
}

/**
 * A SQLite column that compares its text by a collation Postgres has no such name for: the
 * column is created with Postgres's own, so `=` and its unique indexes tell apart what SQLite
 * took for equal (with `NOCASE`, `'A@x'` and `'a@x'`). Said as untranslated: the app may rely on it.
 */
function sqliteCollationWarning(table: string, column: string, collation: string): SchemaWarning {
  const how =
    collation === 'NOCASE'
      ? "case-sensitive ('A@x' and 'a@x' differ)"
      : collation === 'RTRIM'
        ? "with trailing spaces counted ('a ' and 'a' differ)"
        : "by Postgres's default collation";
  return {
    table,
    column,
    kind: 'collation',
    untranslated: true,
    message:
      `"${column}" compares its text by COLLATE ${collation} on SQLite; on Postgres it is ${how}, in its unique indexes and in WHERE ${column} = ?. ` +
      `Use the citext type or a nondeterministic collation, or an index on lower(${column}) and lower() in the app's queries`,
    sql: `COLLATE ${collation}`,
  };
}
