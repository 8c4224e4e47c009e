import type { DialectName, IndexInfo, TableInfo } from '@switchyard/core';
import { BYTE_ORDER, ownCollation } from './column-collation';
import { portableSql } from './portable-sql';
import type { SchemaScope } from './schema-columns';

/**
 * The `CREATE INDEX` statements of a table's indexes on the target, each column with its
 * order and collation; those that do not translate (an expression, a predicate in the
 * source's own SQL) are left out with a warning, and so are the ones in `skip`.
 */
export function indexStatements(
  table: TableInfo,
  ref: string,
  scope: SchemaScope,
  ifNotExists: string,
  skip: ReadonlySet<string>,
): string[] {
  const { from, to, name, warnings } = scope;
  const columnNames = new Set(table.columns.map((c) => c.name));
  const out: string[] = [];
  for (const index of table.indexes) {
    if (sameColumns(index.columns, table.primaryKey) && index.where === undefined) continue;
    if (skip.has(index.name)) continue;
    const expressions = index.columns.filter((c) => !columnNames.has(c));
    if (expressions.length > 0) {
      warnings.push({
        table: table.name,
        kind: 'index',
        untranslated: true,
        message: `index "${index.name}" on expression(s) ${expressions.join(', ')} was left out; recreate it by hand`,
      });
      continue;
    }
    // A partial index without its WHERE would cover every row: a unique one would refuse rows the source holds.
    const where = index.where === undefined ? '' : partialClause(index.where, from, to);
    if (where === undefined) {
      warnings.push({
        table: table.name,
        kind: 'index',
        untranslated: true,
        message: `partial index "${index.name}" (WHERE ${index.where}) uses SQL that does not translate; it was left out, recreate it by hand`,
      });
      continue;
    }
    // SQLite names the indexes behind UNIQUE constraints sqlite_autoindex_*: a reserved prefix elsewhere.
    const indexName = /^sqlite_autoindex_/.test(index.name) ? `${table.name}_${index.columns.join('_')}_key` : index.name;
    const columns = index.columns.map((_, i) => indexColumn(table, index, i, scope));
    out.push(`CREATE ${index.unique ? 'UNIQUE ' : ''}INDEX ${ifNotExists}${name(indexName)} ON ${ref} (${columns.join(', ')})${where}`);
  }
  return out;
}

/**
 * One key column of an index: its name, the collation the index compares it by where that
 * is not the column's own, and `DESC`. A collation the target has no such name for is left
 * out and said: on a unique index it decides which values count as the same.
 */
function indexColumn(table: TableInfo, index: IndexInfo, i: number, scope: SchemaScope): string {
  const column = index.columns[i]!;
  let sql = scope.name(column);
  const collation = index.collations?.[i];
  if (collation) {
    if ((scope.from === 'postgres') === (scope.to === 'postgres')) {
      // A collation of the schema's own that only an index uses is created too.
      ownCollation(collation, scope);
      sql += ` COLLATE ${collation}`;
    } else if (!BYTE_ORDER.test(collation))
      scope.warnings.push({
        table: table.name,
        column,
        kind: 'index',
        untranslated: true,
        message:
          `index "${index.name}" compares "${column}" by COLLATE ${collation}, which ${scope.to === 'postgres' ? 'Postgres' : 'SQLite'} has no such name for: ` +
          `it is created comparing by the column's own collation${index.unique ? ", so values the source took for the same (such as 'A@x' and 'a@x') are unique apart" : ''}`,
        sql: `COLLATE ${collation}`,
      });
  }
  return index.descending?.[i] ? `${sql} DESC` : sql;
}

/** A partial index's ` WHERE …` on the target, or `undefined` when its predicate does not read the same there. */
function partialClause(predicate: string, from: DialectName, to: DialectName): string | undefined {
  const sql = (from === 'postgres') === (to === 'postgres') ? predicate : portableSql(predicate, from);
  return sql === undefined ? undefined : ` WHERE ${sql}`;
}

function sameColumns(a: readonly string[], b: readonly string[]): boolean {
  return a.length === b.length && a.every((c, i) => c === b[i]);
}
