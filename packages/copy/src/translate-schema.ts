import {
  isSwitchyardTable,
  InvalidArgumentError,
  qualifiedTableName,
  quoteIdentifier,
  type DialectName,
  type TableInfo,
} from '@switchyard/core';
import { orderByForeignKeys } from './_internal/table-order';
import { foldObjects, objectWarnings, type Named } from './_internal/schema-post-data';
import { indexStatements } from './_internal/schema-indexes';
import { conflictSuffix, uniqueConflicts } from './_internal/conflict-clauses';
import { columnLines, type SchemaScope } from './_internal/schema-columns';
import { tableConstraints } from './_internal/schema-constraints';
import type { SchemaObjects } from './schema-objects';
import type { SchemaWarning } from './schema-warning';

export type { SchemaWarning } from './schema-warning';

/**
 * Options of {@link translateSchema}.
 *
 * @example
 * ```ts
 * translateSchema(tables, 'postgres', { columnTypes: { 'users.id': 'integer' }, exclude: ['cache'] });
 * ```
 */
export interface TranslateSchemaOptions {
  /** The engine the tables were read from. Default: `postgres` when tables carry a schema, else `sqlite`. */
  from?: DialectName;
  /** Column types to use instead of the automatic cast, keyed `'table.column'`, e.g. `{ 'users.id': 'integer' }`. */
  columnTypes?: Record<string, string>;
  /** Emit `IF NOT EXISTS` so the statements can run again. Default `true`. */
  ifNotExists?: boolean;
  /** Tables to leave out by name. `_switchyard_*` tables are always left out. */
  exclude?: string[];
  /**
   * Views, triggers, CHECKs, functions, rules, domains and enums of the source, from
   * `introspectSchemaObjects(source)`: translated where they can be, otherwise listed in
   * `warnings` with their SQL. Without it only tables, keys, indexes and foreign keys are read.
   */
  objects?: SchemaObjects;
  /**
   * Postgres targets: `'lower'` folds table, column, index and constraint names to lower
   * case, so the app's unquoted SQL (`INSERT INTO Genre …`) finds them; `'preserve'`
   * (default) keeps them, with a warning for each mixed-case name.
   */
  identifierCase?: 'preserve' | 'lower';
}

/**
 * DDL for the target engine and what did not translate exactly.
 *
 * @example
 * ```ts
 * const { statements } = translateSchema(await source.introspect(), 'postgres');
 * for (const sql of statements) await target.execute(sql);
 * ```
 */
export interface TranslatedSchema {
  /** Every statement, `tables` then `postData`, to run in order. */
  statements: string[];
  /**
   * The pre-data phase, as pg_dump calls it: types (Postgres enums) and `CREATE TABLE`
   * with primary keys, NOT NULL, defaults (and on SQLite/D1, which cannot add them later,
   * foreign keys and CHECKs). Run before the copy.
   */
  tables: string[];
  /**
   * The post-data phase: secondary and unique indexes, views, and on Postgres foreign
   * keys and CHECKs (`ADD CONSTRAINT … NOT VALID`, then `VALIDATE CONSTRAINT`). Run after
   * the copy and its validation, so the backfill writes into bare tables.
   */
  postData: string[];
  warnings: SchemaWarning[];
  /** The warnings whose item is missing from the statements. */
  untranslated: SchemaWarning[];
}

/**
 * Turns `introspect()` output (and `options.objects`) into DDL for another engine, in two phases (`tables`, `postData`): tables with primary keys,
 * NOT NULL, defaults (`CURRENT_TIMESTAMP`, `datetime('now')` ⇄ `now()`), unique and
 * secondary indexes and foreign keys, with pgloader's casting rules from SQLite/D1 to
 * Postgres (integer → bigint, real → double precision, blob → bytea, datetime →
 * timestamptz, `INTEGER PRIMARY KEY` → identity) and the reverse. Whatever has no
 * equivalent is listed in `warnings`, never dropped silently.
 *
 * @example
 * ```ts
 * const { statements, warnings } = translateSchema(await sqlite.introspect(), 'postgres');
 * for (const sql of statements) await postgres.execute(sql);
 * for (const w of warnings) console.warn(`${w.table}.${w.column ?? ''}: ${w.message}`);
 * ```
 */
export function translateSchema(tables: readonly TableInfo[], to: DialectName, options: TranslateSchemaOptions = {}): TranslatedSchema {
  if (!['sqlite', 'd1', 'postgres'].includes(to)) {
    throw new InvalidArgumentError(`translateSchema: unknown dialect '${String(to)}'. Use 'sqlite', 'd1' or 'postgres'.`);
  }
  const from: DialectName =
    options.from ?? options.objects?.dialect ?? (tables.some((t) => t.schema !== undefined) ? 'postgres' : 'sqlite');
  const toPg = to === 'postgres';
  const ifNotExists = options.ifNotExists === false ? '' : 'IF NOT EXISTS ';
  const excluded = new Set(options.exclude ?? []);
  const selected = tables.filter((t) => !isSwitchyardTable(t.name) && !excluded.has(t.name));
  const { ordered, cycles } = orderByForeignKeys(selected);
  const fold = toPg && options.identifierCase === 'lower';
  const objects = fold && options.objects ? foldObjects(options.objects) : options.objects;
  const name: Named = (n) => quoteIdentifier(fold ? n.toLowerCase() : n);
  const pre: string[] = [];
  const warnings: SchemaWarning[] = [];
  const indexes: string[] = [];
  const constraints: string[] = [];
  const mutual = cycles.filter((c) => c.length > 1).flat();
  if (mutual.length > 0 && !toPg) {
    warnings.push({
      table: mutual.join(', '),
      kind: 'order',
      untranslated: false,
      message: `tables ${mutual.join(', ')} reference each other; created in name order (SQLite resolves references lazily)`,
    });
  }
  if (toPg && !fold) {
    for (const t of selected) {
      for (const n of [t.name, ...t.columns.map((c) => c.name)]) {
        if (n !== n.toLowerCase()) {
          warnings.push({
            table: t.name,
            ...(n === t.name ? {} : { column: n }),
            kind: 'identifier',
            untranslated: false,
            message: `"${n}" has upper-case letters: Postgres finds it only when quoted ("${n}"); unquoted SQL such as ${n === t.name ? `INSERT INTO ${n}` : `SELECT ${n}`} looks for "${n.toLowerCase()}". Pass identifierCase: 'lower' (CLI: --identifier-case lower) to fold names`,
          });
        }
      }
    }
  }
  const scope: SchemaScope = {
    from,
    to,
    objects,
    columnTypes: options.columnTypes,
    name,
    selected,
    cycles,
    pre,
    constraints,
    warnings,
    createdEnums: new Set<string>(),
  };

  for (const table of ordered) {
    const ref = fold ? name(table.name) : qualifiedTableName(table, to);
    const { lines, tableChecks, inlineKey } = columnLines(table, scope);
    if (!inlineKey && table.primaryKey.length > 0)
      lines.push(`  PRIMARY KEY (${table.primaryKey.map(name).join(', ')})${conflictSuffix(table, 'primaryKey', table.primaryKey, scope)}`);
    const unique = uniqueConflicts(table, scope, name);
    lines.push(...unique.lines);
    tableConstraints(table, ref, scope, lines, tableChecks);
    pre.push(`CREATE TABLE ${ifNotExists}${ref} (\n${lines.join(',\n')}\n)`);
    if (table.partitions?.length) warnings.push(partitionWarning(table.name, table.partitions, toPg));
    if (table.inheritedBy?.length) warnings.push(inheritanceWarning(table.name, table.inheritedBy, toPg));

    indexes.push(...indexStatements(table, ref, scope, ifNotExists, unique.indexes));
  }
  const extra = objects ? objectWarnings(objects, from, to, selected, name) : { statements: [], warnings: [] };
  warnings.push(...extra.warnings);
  const postData = [...indexes, ...constraints, ...extra.statements];
  return { statements: [...pre, ...postData], tables: pre, postData, warnings, untranslated: warnings.filter((w) => w.untranslated) };
}

/** A partitioned Postgres table becomes one table: its rows are all there, its partitions are not. */
function partitionWarning(table: string, partitions: readonly string[], toPg: boolean): SchemaWarning {
  const which = `${table} is partitioned on the source (${partitions.join(', ')})`;
  return {
    table,
    kind: 'partition',
    untranslated: toPg,
    message: toPg
      ? `${which}; it is created as one table. To keep the partitions, create the table and its partitions on the target first: with ifNotExists (the default) the statements leave it as it is, and the copy writes its rows through it`
      : `${which}; its rows are copied into one table`,
  };
}

/** Tables that inherit one (INHERITS) become tables of their own: each keeps its own rows, and a statement on the parent no longer reaches theirs. */
function inheritanceWarning(table: string, heirs: readonly string[], toPg: boolean): SchemaWarning {
  return {
    table,
    kind: 'inheritance',
    untranslated: toPg,
    message:
      `${heirs.join(', ')} ${heirs.length === 1 ? 'inherits' : 'inherit'} ${table} on the source (INHERITS); each is created as a table of its own ` +
      `with its own rows, and a statement on ${table} no longer reaches theirs` +
      (toPg ? ': to keep the inheritance, create the tables on the target first (ifNotExists, the default, leaves them as they are)' : ''),
  };
}
