import type { DatabaseAdapter, DialectName } from '@switchyard/core';
import { schemaCollations, type SchemaCollation } from './_internal/postgres-collations';

/**
 * What a schema holds besides tables, columns, keys and indexes: CHECK constraints,
 * views, triggers, functions, rules, and the domains and enums behind columns. Read by
 * {@link introspectSchemaObjects} and passed to `translateSchema` (`objects`), which
 * translates what it can and lists the rest in its warnings with the SQL to port.
 *
 * @example
 * ```ts
 * const objects = await introspectSchemaObjects(source);
 * console.log(objects.views.map((v) => v.name), objects.triggers.length);
 * ```
 */
export interface SchemaObjects {
  dialect: DialectName;
  checks: { table: string; name?: string; expression: string }[];
  views: { name: string; sql: string }[];
  triggers: { table: string; name: string; sql: string }[];
  functions: { name: string; sql: string }[];
  rules: { table: string; name: string; sql: string }[];
  /** Columns whose type is a Postgres domain: its base type and CHECKs (on `VALUE`). */
  domains: { table: string; column: string; domain: string; baseType: string; checks: string[] }[];
  /** Columns whose type is a Postgres enum, with its labels in order. */
  enums: { table: string; column: string; type: string; values: string[] }[];
  /** Generated columns (`GENERATED ALWAYS AS (…)`), which SQLite's `table_info` does not even list. */
  generated: { table: string; column: string; declaredType: string; expression: string }[];
  /**
   * Postgres: the collations of the schema's own that columns and indexes use (`COLLATE public.ci`),
   * each with whether it is deterministic and the `CREATE COLLATION` that makes it.
   */
  collations?: SchemaCollation[];
}

/**
 * Reads the {@link SchemaObjects} of a database: `sqlite_master` on SQLite and D1 (CHECKs
 * parsed from each table's `CREATE TABLE`), the system catalogs of the current schema on
 * Postgres (objects that belong to an extension are left out).
 *
 * @example
 * ```ts
 * const schema = translateSchema(await source.introspect(), 'postgres', { objects: await introspectSchemaObjects(source) });
 * ```
 */
export async function introspectSchemaObjects(adapter: DatabaseAdapter): Promise<SchemaObjects> {
  return adapter.dialect === 'postgres' ? postgresObjects(adapter) : sqliteObjects(adapter);
}

async function sqliteObjects(adapter: DatabaseAdapter): Promise<SchemaObjects> {
  const rows = await adapter.query<{ type: string; name: string; tbl_name: string; sql: string | null }>(
    "SELECT type, name, tbl_name, sql FROM sqlite_master WHERE type IN ('table', 'view', 'trigger') AND sql IS NOT NULL " +
      "AND name NOT LIKE 'sqlite_%' AND name NOT LIKE '_cf_%' AND name NOT LIKE 'd1_%' AND name NOT LIKE '\\_switchyard%' ESCAPE '\\' ORDER BY name",
  );
  const out: SchemaObjects = {
    dialect: adapter.dialect,
    checks: [],
    views: [],
    triggers: [],
    functions: [],
    rules: [],
    domains: [],
    enums: [],
    generated: [],
  };
  for (const row of rows) {
    if (row.type === 'view') out.views.push({ name: row.name, sql: viewBody(row.sql!) });
    else if (row.type === 'trigger') out.triggers.push({ table: row.tbl_name, name: row.name, sql: row.sql! });
    else {
      for (const check of checkClauses(row.sql!)) out.checks.push({ table: row.name, ...check });
      const hidden = await adapter.query<{ name: string; type: string }>(
        'SELECT name, type FROM pragma_table_xinfo(?) WHERE hidden IN (2, 3)',
        [row.name],
      );
      for (const column of hidden) {
        const expression = generationExpression(row.sql!, column.name);
        if (expression) out.generated.push({ table: row.name, column: column.name, declaredType: column.type, expression });
      }
    }
  }
  return out;
}

async function postgresObjects(adapter: DatabaseAdapter): Promise<SchemaObjects> {
  const ns = 'current_schema()::regnamespace';
  const notExtension = (cls: string, oid: string) =>
    `NOT EXISTS (SELECT 1 FROM pg_depend d WHERE d.classid = '${cls}'::regclass AND d.objid = ${oid} AND d.deptype = 'e')`;
  const [checks, views, triggers, functions, rules, typed, generated, collations] = await Promise.all([
    adapter.query<{ table: string; name: string; def: string }>(
      `SELECT c.relname AS "table", k.conname AS name, pg_get_constraintdef(k.oid) AS def FROM pg_constraint k ` +
        `JOIN pg_class c ON c.oid = k.conrelid WHERE k.contype = 'c' AND c.relnamespace = ${ns} AND c.relname NOT LIKE '\\_switchyard%' ORDER BY 1, 2`,
    ),
    adapter.query<{ name: string; sql: string }>(
      `SELECT c.relname AS name, pg_get_viewdef(c.oid, true) AS sql FROM pg_class c WHERE c.relkind IN ('v', 'm') AND c.relnamespace = ${ns} AND ${notExtension('pg_class', 'c.oid')} ORDER BY 1`,
    ),
    adapter.query<{ table: string; name: string; sql: string }>(
      `SELECT c.relname AS "table", t.tgname AS name, pg_get_triggerdef(t.oid) AS sql FROM pg_trigger t JOIN pg_class c ON c.oid = t.tgrelid ` +
        `WHERE NOT t.tgisinternal AND c.relnamespace = ${ns} ORDER BY 1, 2`,
    ),
    adapter.query<{ name: string; sql: string }>(
      `SELECT p.proname AS name, pg_get_functiondef(p.oid) AS sql FROM pg_proc p WHERE p.pronamespace = ${ns} AND p.prokind IN ('f', 'p') AND ${notExtension('pg_proc', 'p.oid')} ORDER BY 1`,
    ),
    adapter.query<{ table: string; name: string; sql: string }>(
      `SELECT tablename AS "table", rulename AS name, definition AS sql FROM pg_rules WHERE schemaname = current_schema() ORDER BY 1, 2`,
    ),
    adapter.query<{
      table: string;
      column: string;
      type: string;
      kind: string;
      base: string | null;
      checks: string[] | null;
      labels: string[] | null;
    }>(
      `SELECT c.relname AS "table", a.attname AS "column", t.typname AS type, t.typtype::text AS kind, ` +
        `CASE WHEN t.typtype = 'd' THEN format_type(t.typbasetype, t.typtypmod) END AS base, ` +
        `ARRAY(SELECT pg_get_constraintdef(k.oid) FROM pg_constraint k WHERE k.contypid = t.oid AND k.contype = 'c' ORDER BY k.conname)::text[] AS checks, ` +
        `ARRAY(SELECT e.enumlabel::text FROM pg_enum e WHERE e.enumtypid = t.oid ORDER BY e.enumsortorder)::text[] AS labels ` +
        `FROM pg_attribute a JOIN pg_class c ON c.oid = a.attrelid JOIN pg_type t ON t.oid = a.atttypid ` +
        `WHERE c.relkind IN ('r', 'p') AND c.relnamespace = ${ns} AND a.attnum > 0 AND NOT a.attisdropped AND t.typtype IN ('d', 'e') ORDER BY 1, a.attnum`,
    ),
    adapter.query<{ table: string; column: string; declaredType: string; expression: string }>(
      `SELECT c.relname AS "table", a.attname AS "column", format_type(a.atttypid, a.atttypmod) AS "declaredType", pg_get_expr(d.adbin, d.adrelid) AS expression ` +
        `FROM pg_attribute a JOIN pg_class c ON c.oid = a.attrelid JOIN pg_attrdef d ON d.adrelid = a.attrelid AND d.adnum = a.attnum ` +
        `WHERE a.attgenerated = 's' AND c.relnamespace = ${ns} ORDER BY 1, a.attnum`,
    ),
    schemaCollations(adapter, ns),
  ]);
  return {
    dialect: 'postgres',
    checks: checks.map((c) => ({
      table: c.table,
      name: c.name,
      expression: c.def.replace(/^CHECK\s*/i, '').replace(/\s+NOT VALID$/i, ''),
    })),
    views,
    triggers,
    functions,
    rules,
    domains: typed
      .filter((t) => t.kind === 'd')
      .map((t) => ({
        table: t.table,
        column: t.column,
        domain: t.type,
        baseType: t.base!,
        checks: (t.checks ?? []).map((c) => c.replace(/^CHECK\s*/i, '')),
      })),
    enums: typed.filter((t) => t.kind === 'e').map((t) => ({ table: t.table, column: t.column, type: t.type, values: t.labels ?? [] })),
    generated,
    collations,
  };
}

/** `CREATE VIEW name AS SELECT …` -> `SELECT …`. */
function viewBody(sql: string): string {
  const m = /\bAS\s+([\s\S]*)$/i.exec(sql);
  return (m ? m[1]! : sql).trim().replace(/;\s*$/, '');
}

/** The `AS (…)` expression of a generated column in a SQLite `CREATE TABLE`. */
function generationExpression(sql: string, column: string): string | undefined {
  const name = column.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
  const m = new RegExp(`(?:^|[(,])\\s*(?:"${name}"|\\[${name}\\]|\`${name}\`|${name})\\s[^,]*?\\bAS\\s*\\(`, 'i').exec(sql);
  if (!m) return undefined;
  const end = closingParen(sql, m.index + m[0].length);
  return sql.slice(m.index + m[0].length - 1, end).trim();
}

/** The index just past the parenthesis that closes the one opened before `from`. */
function closingParen(text: string, from: number): number {
  let depth = 1;
  let i = from;
  for (; i < text.length && depth > 0; i++) {
    if (text[i] === '(') depth++;
    else if (text[i] === ')') depth--;
  }
  return i;
}

/** The CHECK clauses of a SQLite `CREATE TABLE`, each with its `CONSTRAINT` name when it has one. */
export function checkClauses(sql: string): { name?: string; expression: string }[] {
  const out: { name?: string; expression: string }[] = [];
  const text = sql.replace(/'(?:[^']|'')*'/g, (s) => ' '.repeat(s.length)); // strings cannot hide a CHECK
  const pattern = /(?:\bCONSTRAINT\s+("(?:[^"]|"")+"|\w+)\s+)?\bCHECK\s*\(/gi;
  for (let m = pattern.exec(text); m; m = pattern.exec(text)) {
    const i = closingParen(text, m.index + m[0].length);
    const expression = sql.slice(m.index + m[0].length - 1, i).trim();
    out.push(m[1] ? { name: m[1].replace(/^"|"$/g, '').replace(/""/g, '"'), expression } : { expression });
    pattern.lastIndex = i;
  }
  return out;
}
