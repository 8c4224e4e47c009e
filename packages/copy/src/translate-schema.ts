import {
  isSwitchyardTable,
  InvalidArgumentError,
  logicalTypeOf,
  quoteIdentifier,
  type DialectName,
  type TableInfo,
} from '@switchyard/core';
import { orderByForeignKeys, referencedName } from './_internal/table-order';
import {
  addConstraint,
  checkSql,
  constraintName,
  enumCheck,
  foldObjects,
  generatedClause,
  literal,
  objectWarnings,
  type Named,
} from './_internal/schema-post-data';
import type { SchemaObjects } from './schema-objects';
import { postgresToSqliteType, sameEngineType, sqliteToPostgresType, translateDefault } from './_internal/type-cast';
import { tableRef } from './_internal/sql-text';

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
 * Something in the source schema that has no exact equivalent in the target.
 *
 * @example
 * ```ts
 * for (const w of translateSchema(tables, 'sqlite').untranslated) console.warn(w.table, w.kind, w.message);
 * ```
 */
export interface SchemaWarning {
  table: string;
  column?: string;
  /** What was affected: a column type (approximated), a default, index, foreign key, CHECK, view, trigger, function, rule or identity (left out), a name, or the table order. */
  kind:
    | 'type'
    | 'default'
    | 'index'
    | 'foreignKey'
    | 'order'
    | 'check'
    | 'view'
    | 'trigger'
    | 'function'
    | 'rule'
    | 'identity'
    | 'identifier'
    | 'generated';
  /** `true` when the item is missing from the statements (not merely approximated). */
  untranslated: boolean;
  message: string;
  /** The source SQL of an untranslated object, to port by hand. */
  sql?: string;
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
  const fromPg = from === 'postgres';
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
  const createdEnums = new Set<string>();

  for (const table of ordered) {
    const ref = toPg && table.schema && table.schema !== 'public' && !fold ? tableRef(table, 'postgres') : name(table.name);
    const columnNames = new Set(table.columns.map((c) => c.name));
    const lines: string[] = [];
    const tableChecks: string[] = [];
    const singleKey = table.primaryKey.length === 1 ? table.primaryKey[0] : undefined;
    let inlineKey = false;
    const generated = objects?.generated.filter((g) => g.table === table.name) ?? [];
    // SQLite's table_info leaves generated columns out: they come from the objects.
    const hidden = generated
      .filter((g) => !table.columns.some((c) => c.name === g.column))
      .map((g) => ({
        name: g.column,
        declaredType: g.declaredType,
        logicalType: logicalTypeOf(g.declaredType, from),
        nullable: true,
        defaultValue: null,
        autoIncrement: false,
      }));
    for (const original of [...table.columns, ...hidden]) {
      const generation = generated.find((g) => g.column === original.name);
      const domain = objects?.domains.find((d) => d.table === table.name && d.column === original.name);
      const enumType = objects?.enums.find((e) => e.table === table.name && e.column === original.name);
      // A domain is its base type plus its CHECKs, written on the column.
      const column = domain ? { ...original, declaredType: domain.baseType, logicalType: logicalOf(domain.baseType) } : original;
      const override = options.columnTypes?.[`${table.name}.${column.name}`];
      let cast = override
        ? { type: override }
        : fromPg === toPg
          ? sameEngineType(column, to)
          : toPg
            ? sqliteToPostgresType(column)
            : postgresToSqliteType(column);
      if (enumType && !override) {
        if (fromPg && toPg) {
          if (!createdEnums.has(enumType.type)) {
            createdEnums.add(enumType.type);
            pre.push(
              `DO $$ BEGIN CREATE TYPE ${quoteIdentifier(enumType.type)} AS ENUM (${enumType.values.map(literal).join(', ')}); EXCEPTION WHEN duplicate_object THEN NULL; END $$`,
            );
          }
          cast = { type: quoteIdentifier(enumType.type) };
        } else {
          cast = { type: 'TEXT', warning: `enum ${enumType.type} is stored as TEXT with a CHECK on its ${enumType.values.length} values` };
          tableChecks.push(enumCheck(name(column.name), enumType.values));
        }
      }
      if (domain) {
        warnings.push({
          table: table.name,
          column: column.name,
          kind: 'type',
          untranslated: false,
          message: `domain ${domain.domain} is created as its base type ${domain.baseType}${domain.checks.length ? ' with its CHECK' : ''}`,
        });
        for (const check of domain.checks) {
          const sql = checkSql(check.replace(/\bVALUE\b/g, name(column.name)), from);
          if (sql) tableChecks.push(sql);
          else
            warnings.push({
              table: table.name,
              column: column.name,
              kind: 'check',
              untranslated: true,
              message: `CHECK of domain ${domain.domain} does not translate; add it by hand`,
              sql: check,
            });
        }
      }
      if (cast.warning) warnings.push({ table: table.name, column: column.name, kind: 'type', untranslated: false, message: cast.warning });
      const isKey = column.name === singleKey;
      let line = `${name(column.name)} ${cast.type}`.trimEnd();
      let skipDefault = false;
      if (generation) {
        const clause = generatedClause(generation.expression, from, to);
        if (clause) {
          lines.push('  ' + line + clause);
          continue;
        }
        warnings.push({
          table: table.name,
          column: column.name,
          kind: 'generated',
          untranslated: true,
          message: `generated column "${column.name}" is created as a plain column (its values are copied): its expression does not translate`,
          sql: generation.expression,
        });
        skipDefault = true;
      }
      const generatedId = column.autoIncrement && column.logicalType === 'integer' && !override;
      if (isKey && generatedId && (fromPg !== toPg || !toPg)) {
        // The engine's own id generator: identity on Postgres, the rowid alias on SQLite.
        if (toPg) {
          line += ' GENERATED BY DEFAULT AS IDENTITY PRIMARY KEY';
        } else {
          line = `${name(column.name)} INTEGER PRIMARY KEY AUTOINCREMENT`;
        }
        inlineKey = true;
        skipDefault = true;
      } else if (generatedId && toPg) {
        // Identity or serial on any column (keyless tables too); a serial's nextval names a sequence the target lacks.
        line += ' GENERATED BY DEFAULT AS IDENTITY' + (isKey ? ' PRIMARY KEY' : ' NOT NULL');
        inlineKey = isKey;
        skipDefault = true;
      } else {
        if (generatedId) {
          warnings.push({
            table: table.name,
            column: column.name,
            kind: 'identity',
            untranslated: true,
            message: `SQLite generates ids only for an INTEGER PRIMARY KEY; "${column.name}" is created without a generator: the app must fill it`,
          });
          if (fromPg && column.defaultValue && /^nextval\(/i.test(column.defaultValue)) skipDefault = true;
        }
        if (!column.nullable || table.primaryKey.includes(column.name)) line += ' NOT NULL';
      }
      if (column.defaultValue !== null && !skipDefault) {
        const d = translateDefault(column.defaultValue, column, from, to);
        if (d.sql !== undefined) line += ` DEFAULT ${toPg || (/^[\w'+-.]/.test(d.sql) && !/\(/.test(d.sql)) ? d.sql : `(${d.sql})`}`;
        else if (d.warning)
          warnings.push({ table: table.name, column: column.name, kind: 'default', untranslated: true, message: d.warning });
      }
      lines.push('  ' + line);
    }
    if (!inlineKey && table.primaryKey.length > 0) lines.push(`  PRIMARY KEY (${table.primaryKey.map(name).join(', ')})`);
    for (const fk of table.foreignKeys) {
      const parent = referencedName(fk);
      const clause =
        `FOREIGN KEY (${fk.columns.map(name).join(', ')}) REFERENCES ${name(parent)}` +
        (fk.referencedColumns.length ? ` (${fk.referencedColumns.map(name).join(', ')})` : '') +
        action('DELETE', fk.onDelete) +
        action('UPDATE', fk.onUpdate);
      if (!selected.some((t) => t.name === parent)) {
        warnings.push({
          table: table.name,
          kind: 'foreignKey',
          untranslated: true,
          message: `foreign key to "${fk.referencedTable}", which is not among the tables translated, was left out`,
        });
        continue;
      }
      if (toPg) constraints.push(...addConstraint(ref, name(constraintName(table.name, fk.columns, 'fkey')), clause));
      else if (to === 'd1' && cycles.some((c) => c.includes(table.name) && c.includes(parent))) {
        // D1 checks every statement and cannot switch enforcement off: rows of a cycle could never be loaded.
        warnings.push({
          table: table.name,
          kind: 'foreignKey',
          untranslated: true,
          message: `foreign key to "${parent}" closes a reference cycle, which D1 cannot load (it checks every statement); left out: check it in the app`,
          sql: clause,
        });
      } else lines.push('  ' + clause);
    }
    for (const check of objects?.checks.filter((c) => c.table === table.name) ?? []) {
      const sql = checkSql(check.expression, from);
      if (!sql) {
        warnings.push({
          table: table.name,
          kind: 'check',
          untranslated: true,
          message: `CHECK ${check.name ?? ''} uses SQL that does not translate; add it by hand`.replace('  ', ' '),
          sql: `CHECK ${check.expression}`,
        });
        continue;
      }
      const cname = check.name ?? constraintName(table.name, [String(tableChecks.length + 1)], 'check');
      if (toPg) constraints.push(...addConstraint(ref, name(cname), `CHECK ${sql}`));
      else lines.push(`  CONSTRAINT ${quoteIdentifier(cname)} CHECK ${sql}`);
    }
    tableChecks.forEach((sql, i) => {
      if (toPg) constraints.push(...addConstraint(ref, name(constraintName(table.name, [`type${i + 1}`], 'check')), `CHECK ${sql}`));
      else lines.push(`  CHECK ${sql}`);
    });
    pre.push(`CREATE TABLE ${ifNotExists}${ref} (\n${lines.join(',\n')}\n)`);

    for (const index of table.indexes) {
      if (sameColumns(index.columns, table.primaryKey)) continue;
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
      // SQLite names the indexes behind UNIQUE constraints sqlite_autoindex_*: a reserved prefix elsewhere.
      const indexName = /^sqlite_autoindex_/.test(index.name) ? `${table.name}_${index.columns.join('_')}_key` : index.name;
      indexes.push(
        `CREATE ${index.unique ? 'UNIQUE ' : ''}INDEX ${ifNotExists}${name(indexName)} ON ${ref} (${index.columns.map(name).join(', ')})`,
      );
    }
  }
  const extra = objects ? objectWarnings(objects, from, to, selected, name) : { statements: [], warnings: [] };
  warnings.push(...extra.warnings);
  const postData = [...indexes, ...constraints, ...extra.statements];
  return { statements: [...pre, ...postData], tables: pre, postData, warnings, untranslated: warnings.filter((w) => w.untranslated) };
}

function logicalOf(declared: string): ColumnLogical {
  return logicalTypeOf(declared, 'postgres');
}
type ColumnLogical = ReturnType<typeof logicalTypeOf>;

function action(kind: 'DELETE' | 'UPDATE', value: string | undefined): string {
  if (!value) return '';
  const v = value.toUpperCase().replace(/_/g, ' ');
  return v === 'NO ACTION' || v === '' ? '' : ` ON ${kind} ${v}`;
}

function sameColumns(a: readonly string[], b: readonly string[]): boolean {
  return a.length === b.length && a.every((c, i) => c === b[i]);
}
