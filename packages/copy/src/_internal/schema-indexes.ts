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
    const keys = expressionKeys(index, columnNames, from, to);
    if (!keys) {
      warnings.push({
        table: table.name,
        kind: 'index',
        untranslated: true,
        message: `index "${index.name}" on expression(s) ${expressions.join(', ')} uses SQL that does not translate; it was left out, recreate it by hand`,
      });
      continue;
    }
    if (index.unique && keys.some((k) => k && CASE_FOLDING.test(k)) && (from === 'postgres') !== (to === 'postgres'))
      warnings.push({
        table: table.name,
        kind: 'index',
        untranslated: false,
        message:
          `unique index "${index.name}" on ${expressions.join(', ')}: SQLite's lower() and upper() fold ASCII letters only, Postgres's every letter, ` +
          `so values such as 'É' and 'é' are ${to === 'postgres' ? 'refused as duplicates on Postgres that SQLite took apart' : 'taken apart on SQLite that Postgres refused as duplicates'}`,
      });
    // A partial index without its WHERE would cover every row: a unique one would refuse rows the source holds.
    const predicate = index.where === undefined ? '' : partialPredicate(index.where, from, to);
    if (predicate === undefined) {
      warnings.push({
        table: table.name,
        kind: 'index',
        untranslated: true,
        message: `partial index "${index.name}" (WHERE ${index.where}) uses SQL that does not translate; it was left out, recreate it by hand`,
      });
      continue;
    }
    const where = predicate ? ` WHERE ${predicate}` : '';
    // SQLite names the indexes behind UNIQUE constraints sqlite_autoindex_*: a reserved prefix elsewhere.
    const indexName = /^sqlite_autoindex_/.test(index.name) ? `${table.name}_${index.columns.join('_')}_key` : index.name;
    const columns = index.columns.map((_, i) => indexColumn(table, index, i, scope, keys[i]));
    const nulls = index.nullsNotDistinct && to === 'postgres' ? ' NULLS NOT DISTINCT' : '';
    out.push(
      `CREATE ${index.unique ? 'UNIQUE ' : ''}INDEX ${ifNotExists}${name(indexName)} ON ${ref} (${columns.join(', ')})${nulls}${where}`,
    );
    if (index.nullsNotDistinct && to !== 'postgres')
      out.push(nullKeysIndex(table, index, `${indexName}_nulls`, ref, scope, ifNotExists, predicate));
  }
  return out;
}

/**
 * One key column of an index: its name, the collation the index compares it by where that
 * is not the column's own, and `DESC`. A collation the target has no such name for is left
 * out and said: on a unique index it decides which values count as the same.
 */
function indexColumn(table: TableInfo, index: IndexInfo, i: number, scope: SchemaScope, expression: string | undefined): string {
  const column = index.columns[i]!;
  // Parenthesized, an expression is a key on both engines (Postgres needs them around all but a call).
  let sql = expression === undefined ? scope.name(column) : `(${expression})`;
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
  const descending = index.descending?.[i] === true;
  if (descending) sql += ' DESC';
  // Postgres alone writes where NULLs sort in an index; only a choice other than the direction's default is written.
  const nullsFirst = index.nullsFirst?.[i];
  if (scope.to === 'postgres' && nullsFirst !== undefined && nullsFirst !== descending) sql += nullsFirst ? ' NULLS FIRST' : ' NULLS LAST';
  return sql;
}

/**
 * SQLite counts NULLs in a unique key as distinct, always. For a Postgres `NULLS NOT DISTINCT`
 * index, the rows whose key holds a NULL get a unique index of their own whose terms are never
 * NULL: `a IS NULL` beside `ifnull(a, 0)` tells a NULL from a stored 0, so two rows clash exactly
 * where Postgres says they do. `ifnull` drops the column's collation, so it is named again.
 */
function nullKeysIndex(
  table: TableInfo,
  index: IndexInfo,
  indexName: string,
  ref: string,
  scope: SchemaScope,
  ifNotExists: string,
  predicate: string,
): string {
  const terms = index.columns.map((column, i) => {
    const sql = scope.name(column);
    const collation = scope.columnTypes?.[`${table.name}.${column}`]?.match(/\bCOLLATE\s+("[^"]+"|\w+)/i)?.[1];
    return `${sql} IS NULL, ifnull(${sql}, 0)${collation ? ` COLLATE ${collation}` : ''}${index.descending?.[i] ? ' DESC' : ''}`;
  });
  const anyNull = index.columns.map((c) => `${scope.name(c)} IS NULL`).join(' OR ');
  const filter = predicate ? ` WHERE (${predicate}) AND (${anyNull})` : ` WHERE ${anyNull}`;
  return `CREATE UNIQUE INDEX ${ifNotExists}${scope.name(indexName)} ON ${ref} (${terms.join(', ')})${filter}`;
}

const CASE_FOLDING = /\b(?:lower|upper)\s*\(/i;

/**
 * Each key's expression on the target (`undefined` for a column), or `undefined` when one
 * does not read the same there: across engines it must be portable SQL (see {@link portableSql})
 * without a collation of its own, and SQLite has no way to count NULLs of an expression as equal.
 */
function expressionKeys(
  index: IndexInfo,
  columns: ReadonlySet<string>,
  from: DialectName,
  to: DialectName,
): (string | undefined)[] | undefined {
  const keys = index.columns.map((c) => (columns.has(c) ? undefined : c));
  if (keys.every((k) => k === undefined)) return keys;
  if (keys.includes('<expression>') || (index.nullsNotDistinct && to !== 'postgres')) return undefined;
  if ((from === 'postgres') === (to === 'postgres')) return keys;
  if (keys.some((k) => k !== undefined && /\bcollate\b/i.test(k))) return undefined;
  const portable = keys.map((k) => (k === undefined ? undefined : portableSql(k, from)));
  return portable.every((k, i) => (k === undefined) === (keys[i] === undefined)) ? portable : undefined;
}

/** A partial index's predicate on the target, or `undefined` when it does not read the same there. */
function partialPredicate(predicate: string, from: DialectName, to: DialectName): string | undefined {
  return (from === 'postgres') === (to === 'postgres') ? predicate : portableSql(predicate, from);
}

function sameColumns(a: readonly string[], b: readonly string[]): boolean {
  return a.length === b.length && a.every((c, i) => c === b[i]);
}
