import { logicalTypeOf, quoteIdentifier, quoteLiteral, type ColumnInfo, type DialectName, type TableInfo } from '@switchyard/core';
import type { SchemaObjects } from '../schema-objects';
import type { SchemaWarning } from '../schema-warning';
import { checkSql, enumCheck, generatedClause, type Named } from './schema-post-data';
import { postgresToSqliteType, sameEngineType, sqliteToPostgresType } from './type-cast';
import { translateDefault } from './column-defaults';
import { collationClause } from './column-collation';
import { conflictSuffix } from './conflict-clauses';

/** What the translation of one schema shares across its tables. */
export interface SchemaScope {
  from: DialectName;
  to: DialectName;
  objects: SchemaObjects | undefined;
  columnTypes: Record<string, string> | undefined;
  name: Named;
  /** The tables translated, and the reference cycles among them. */
  selected: readonly TableInfo[];
  cycles: readonly string[][];
  /** The pre-data statements: an enum's type goes in ahead of the first table that uses it. */
  pre: string[];
  /** The post-data `ADD CONSTRAINT` statements of a Postgres target. */
  constraints: string[];
  warnings: SchemaWarning[];
  createdEnums: Set<string>;
}

/** A table's column definitions, the CHECKs its column types need, and whether a column holds the primary key. */
interface TableColumns {
  lines: string[];
  tableChecks: string[];
  inlineKey: boolean;
}

/**
 * The column lines of a `CREATE TABLE`: each column's type cast (or override), its
 * generator, NOT NULL and default; enums and domains become CHECKs where the target lacks them.
 */
export function columnLines(table: TableInfo, scope: SchemaScope): TableColumns {
  const { from, to, objects, columnTypes, name, pre, warnings, createdEnums } = scope;
  const toPg = to === 'postgres';
  const fromPg = from === 'postgres';
  const lines: string[] = [];
  const tableChecks: string[] = [];
  const singleKey = table.primaryKey.length === 1 ? table.primaryKey[0] : undefined;
  let inlineKey = false;
  const generated = objects?.generated.filter((g) => g.table === table.name) ?? [];
  // Generated columns a table's columns do not list (a definition read without them) come from the objects.
  const hidden = generated
    .filter((g) => !table.columns.some((c) => c.name === g.column))
    .map((g): ColumnInfo => ({
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
    const override = columnTypes?.[`${table.name}.${column.name}`];
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
            `DO $$ BEGIN CREATE TYPE ${quoteIdentifier(enumType.type)} AS ENUM (${enumType.values.map(quoteLiteral).join(', ')}); EXCEPTION WHEN duplicate_object THEN NULL; END $$`,
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
    if (cast.maxLength !== undefined) tableChecks.push(`(length(${name(column.name)}) <= ${cast.maxLength})`);
    const isKey = column.name === singleKey;
    let line = `${name(column.name)} ${cast.type}`.trimEnd();
    line += collationClause(table.name, column, scope);
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
        line = `${name(column.name)} INTEGER PRIMARY KEY${conflictSuffix(table, 'primaryKey', [column.name], scope)} AUTOINCREMENT`;
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
      if (!column.nullable || table.primaryKey.includes(column.name))
        line += ' NOT NULL' + conflictSuffix(table, 'notNull', [column.name], scope);
    }
    if (column.defaultValue !== null && !skipDefault) {
      const d = translateDefault(column.defaultValue, column, from, to);
      if (d.sql !== undefined) line += ` DEFAULT ${toPg || (/^[\w'+-.]/.test(d.sql) && !/\(/.test(d.sql)) ? d.sql : `(${d.sql})`}`;
      else if (d.warning)
        warnings.push({ table: table.name, column: column.name, kind: 'default', untranslated: true, message: d.warning });
      if (d.note) warnings.push({ table: table.name, column: column.name, kind: 'default', untranslated: false, message: d.note });
    }
    lines.push('  ' + line);
  }
  return { lines, tableChecks, inlineKey };
}

function logicalOf(declared: string): ColumnLogical {
  return logicalTypeOf(declared, 'postgres');
}
type ColumnLogical = ReturnType<typeof logicalTypeOf>;
