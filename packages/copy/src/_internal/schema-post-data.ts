import type { DialectName, TableInfo } from '@switchyard/core';
import type { SchemaObjects } from '../schema-objects';
import type { SchemaWarning } from '../schema-warning';
import { portableSql } from './portable-sql';

/** Quotes a name the way the translation writes names (folded to lower case or kept). */
export type Named = (name: string) => string;

/** A CHECK expression for the other engine, in parentheses, or `undefined` when it does not translate. */
export function checkSql(expression: string, from: DialectName): string | undefined {
  const sql = portableSql(expression, from);
  if (sql === undefined) return undefined;
  return /^\(.*\)$/s.test(sql) ? sql : `(${sql})`;
}

/** The CHECK that keeps an enum's values on an engine without enums. */
export function enumCheck(column: string, values: readonly string[]): string {
  return `(${column} IN (${values.map((v) => "'" + v.replace(/'/g, "''") + "'").join(', ')}))`;
}

/**
 * Views translated where their SQL is portable (created in the post-data phase, after
 * the tables they read); between two databases of the same engine, functions, triggers
 * and rules too. Otherwise they are listed with their SQL, since their bodies are
 * written in each engine's own language.
 */
export function objectWarnings(
  objects: SchemaObjects,
  from: DialectName,
  to: DialectName,
  tables: readonly TableInfo[],
  name: Named,
): { statements: string[]; warnings: SchemaWarning[] } {
  const statements: string[] = [];
  const warnings: SchemaWarning[] = [];
  const toPg = to === 'postgres';
  const names = new Set(tables.map((t) => t.name));
  const same = (from === 'postgres') === toPg;
  if (same) {
    // The same engine runs the same bodies: functions first (views and triggers may call them).
    statements.push(...objects.functions.map((f) => f.sql.trim().replace(/;?\s*$/, '')));
  }
  for (const view of objects.views) {
    const sql = same ? view.sql : portableSql(view.sql, from);
    if (sql === undefined) {
      warnings.push({
        table: view.name,
        kind: 'view',
        untranslated: true,
        message: `view "${view.name}" uses SQL that does not translate; create it by hand`,
        sql: view.sql,
      });
      continue;
    }
    statements.push(
      toPg ? `CREATE OR REPLACE VIEW ${name(view.name)} AS ${sql}` : `CREATE VIEW IF NOT EXISTS ${name(view.name)} AS ${sql}`,
    );
  }
  for (const trigger of objects.triggers) {
    if (!names.has(trigger.table)) continue;
    if (same) {
      statements.push(trigger.sql.trim().replace(/;?\s*$/, ''));
      continue;
    }
    warnings.push({
      table: trigger.table,
      kind: 'trigger',
      untranslated: true,
      sql: trigger.sql,
      message: `trigger "${trigger.name}" is not created: port it by hand (a column it fills must be filled by the app, or writes to the new database fail or differ)`,
    });
  }
  for (const fn of same ? [] : objects.functions) {
    warnings.push({
      table: fn.name,
      kind: 'function',
      untranslated: true,
      message: `function ${fn.name} is not created: ${to} has no stored functions; move its logic into the app`,
      sql: fn.sql,
    });
  }
  for (const rule of objects.rules) {
    if (!names.has(rule.table)) continue;
    if (same) {
      statements.push(rule.sql.trim().replace(/;?\s*$/, ''));
      continue;
    }
    warnings.push({
      table: rule.table,
      kind: 'rule',
      untranslated: true,
      message: `rule "${rule.name}" is not created: port it by hand (a trigger, or logic in the app)`,
      sql: rule.sql,
    });
  }
  return { statements, warnings };
}

/**
 * The clause of a generated column on the target (`GENERATED ALWAYS AS (…) STORED` on
 * Postgres, `VIRTUAL` on SQLite), or `undefined` when its expression does not translate.
 */
export function generatedClause(expression: string, from: DialectName, to: DialectName): string | undefined {
  const same = (from === 'postgres') === (to === 'postgres');
  const sql = same ? expression.trim() : portableSql(expression, from);
  if (sql === undefined) return undefined;
  return ` GENERATED ALWAYS AS (${sql.replace(/^\((.*)\)$/s, '$1')}) ${to === 'postgres' ? 'STORED' : 'VIRTUAL'}`;
}

/** `ADD CONSTRAINT … NOT VALID` then `VALIDATE`: the scan that checks old rows takes a lock that lets writes go on. */
export function addConstraint(ref: string, quotedName: string, clause: string): string[] {
  return [`ALTER TABLE ${ref} ADD CONSTRAINT ${quotedName} ${clause} NOT VALID`, `ALTER TABLE ${ref} VALIDATE CONSTRAINT ${quotedName}`];
}

/** Postgres's own naming (`orders_customer_id_fkey`), cut to its 63-byte limit. */
export function constraintName(table: string, columns: readonly string[], suffix: string): string {
  return `${table}_${columns.join('_')}`.slice(0, 62 - suffix.length) + '_' + suffix;
}

/** Quoted names inside expressions and views folded too, so they find the folded columns. */
export function foldObjects(objects: SchemaObjects): SchemaObjects {
  const f = (sql: string) => sql.replace(/"((?:[^"]|"")+)"/g, (_m, n: string) => `"${n.toLowerCase()}"`);
  return {
    ...objects,
    checks: objects.checks.map((c) => ({ ...c, expression: f(c.expression) })),
    views: objects.views.map((v) => ({ ...v, sql: f(v.sql) })),
    domains: objects.domains.map((d) => ({ ...d, checks: d.checks.map(f) })),
    generated: objects.generated.map((g) => ({ ...g, expression: f(g.expression) })),
  };
}
