import { isSwitchyardTable, InvalidArgumentError, type DialectName, type TableInfo } from '@switchyard/core';
import { orderByForeignKeys } from './_internal/table-order';
import { postgresToSqliteType, sameEngineType, sqliteToPostgresType, translateDefault } from './_internal/type-cast';
import { quoteIdent, tableRef } from './_internal/sql-text';

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
  /** What was affected: a column type (approximated), a default, index or foreign key (left out), or the table order. */
  kind: 'type' | 'default' | 'index' | 'foreignKey' | 'order';
  /** `true` when the item is missing from the statements (not merely approximated). */
  untranslated: boolean;
  message: string;
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
  /** `CREATE TABLE`, `CREATE INDEX` (and on Postgres `ALTER TABLE … ADD FOREIGN KEY`) statements, to run in order. */
  statements: string[];
  warnings: SchemaWarning[];
  /** The warnings whose item is missing from the statements. */
  untranslated: SchemaWarning[];
}

/**
 * Turns `introspect()` output into DDL for another engine: tables with primary keys,
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
  const from: DialectName = options.from ?? (tables.some((t) => t.schema !== undefined) ? 'postgres' : 'sqlite');
  const toPg = to === 'postgres';
  const fromPg = from === 'postgres';
  const ifNotExists = options.ifNotExists === false ? '' : 'IF NOT EXISTS ';
  const excluded = new Set(options.exclude ?? []);
  const selected = tables.filter((t) => !isSwitchyardTable(t.name) && !excluded.has(t.name));
  const { ordered, cycles } = orderByForeignKeys(selected);
  const statements: string[] = [];
  const warnings: SchemaWarning[] = [];
  const indexes: string[] = [];
  const foreignKeys: string[] = [];
  const mutual = cycles.filter((c) => c.length > 1).flat();
  if (mutual.length > 0 && !toPg) {
    warnings.push({ table: mutual.join(', '), kind: 'order', untranslated: false, message: `tables ${mutual.join(', ')} reference each other; created in name order (SQLite resolves references lazily)` });
  }

  for (const table of ordered) {
    const ref = toPg ? tableRef(table, 'postgres') : quoteIdent(table.name);
    const columnNames = new Set(table.columns.map((c) => c.name));
    const lines: string[] = [];
    const singleKey = table.primaryKey.length === 1 ? table.primaryKey[0] : undefined;
    let inlineKey = false;
    for (const column of table.columns) {
      const override = options.columnTypes?.[`${table.name}.${column.name}`];
      const cast = override ? { type: override } : fromPg === toPg ? sameEngineType(column, to) : toPg ? sqliteToPostgresType(column) : postgresToSqliteType(column);
      if (cast.warning) warnings.push({ table: table.name, column: column.name, kind: 'type', untranslated: false, message: cast.warning });
      const isKey = column.name === singleKey;
      let line = `${quoteIdent(column.name)} ${cast.type}`.trimEnd();
      let skipDefault = false;
      if (isKey && column.autoIncrement && column.logicalType === 'integer' && fromPg !== toPg && !override) {
        // The engine's own id generator: identity on Postgres, the rowid alias on SQLite.
        if (toPg) {
          line += ' GENERATED BY DEFAULT AS IDENTITY PRIMARY KEY';
        } else {
          line = `${quoteIdent(column.name)} INTEGER PRIMARY KEY AUTOINCREMENT`;
        }
        inlineKey = true;
        skipDefault = true;
      } else if (!column.nullable || table.primaryKey.includes(column.name)) {
        line += ' NOT NULL';
      }
      if (column.defaultValue !== null && !skipDefault) {
        const d = translateDefault(column.defaultValue, column, from, to);
        if (d.sql !== undefined) line += ` DEFAULT ${toPg || /^[\w'+-.]/.test(d.sql) && !/\(/.test(d.sql) ? d.sql : `(${d.sql})`}`;
        else if (d.warning) warnings.push({ table: table.name, column: column.name, kind: 'default', untranslated: true, message: d.warning });
      }
      lines.push('  ' + line);
    }
    if (!inlineKey && table.primaryKey.length > 0) lines.push(`  PRIMARY KEY (${table.primaryKey.map(quoteIdent).join(', ')})`);
    for (const fk of table.foreignKeys) {
      const clause =
        `FOREIGN KEY (${fk.columns.map(quoteIdent).join(', ')}) REFERENCES ${quoteIdent(fk.referencedTable.split('.').pop()!)}` +
        (fk.referencedColumns.length ? ` (${fk.referencedColumns.map(quoteIdent).join(', ')})` : '') +
        action('DELETE', fk.onDelete) +
        action('UPDATE', fk.onUpdate);
      if (!selected.some((t) => t.name === fk.referencedTable.split('.').pop())) {
        warnings.push({ table: table.name, kind: 'foreignKey', untranslated: true, message: `foreign key to "${fk.referencedTable}", which is not among the tables translated, was left out` });
        continue;
      }
      // Postgres checks references at creation: added after every table exists, cycles included.
      if (toPg) foreignKeys.push(`ALTER TABLE ${ref} ADD ${clause}`);
      else lines.push('  ' + clause);
    }
    statements.push(`CREATE TABLE ${ifNotExists}${ref} (\n${lines.join(',\n')}\n)`);

    for (const index of table.indexes) {
      if (sameColumns(index.columns, table.primaryKey)) continue;
      const expressions = index.columns.filter((c) => !columnNames.has(c));
      if (expressions.length > 0) {
        warnings.push({ table: table.name, kind: 'index', untranslated: true, message: `index "${index.name}" on expression(s) ${expressions.join(', ')} was left out; recreate it by hand` });
        continue;
      }
      // SQLite names the indexes behind UNIQUE constraints sqlite_autoindex_*: a reserved prefix elsewhere.
      const name = /^sqlite_autoindex_/.test(index.name) ? `${table.name}_${index.columns.join('_')}_key` : index.name;
      indexes.push(
        `CREATE ${index.unique ? 'UNIQUE ' : ''}INDEX ${ifNotExists}${quoteIdent(name)} ON ${ref} (${index.columns.map(quoteIdent).join(', ')})`,
      );
    }
  }
  statements.push(...indexes, ...foreignKeys);
  return { statements, warnings, untranslated: warnings.filter((w) => w.untranslated) };
}

function action(kind: 'DELETE' | 'UPDATE', value: string | undefined): string {
  if (!value) return '';
  const v = value.toUpperCase().replace(/_/g, ' ');
  return v === 'NO ACTION' || v === '' ? '' : ` ON ${kind} ${v}`;
}

function sameColumns(a: readonly string[], b: readonly string[]): boolean {
  return a.length === b.length && a.every((c, i) => c === b[i]);
}

