import type { DialectName, Row } from '@switchyard/core';

/** The column an upsert returns beside the row: how many things on its table may change rows after a statement. */
const CHANGERS = '_switchyard_changers';

/**
 * ` RETURNING *` for table `name` (`ref` as statements name it), and a count, taken by the
 * same statement, of what may change the table's rows after the statement returned them:
 * its triggers and rules, its foreign keys with an `ON DELETE`/`ON UPDATE` action (on
 * Postgres: any foreign key), its partitions or child tables (whose own triggers fire).
 * Read in the statement, the count is never older than the rows: a trigger created a
 * moment before is counted.
 */
export function returningClause(name: string, ref: string, dialect: DialectName): string {
  const literal = (text: string) => `'${text.replace(/'/g, "''")}'`;
  let count: string;
  if (dialect === 'postgres') {
    // One lookup by oid: a table with any trigger (a foreign key's own included), rule,
    // child table or partition counts. Reading pg_trigger and pg_constraint in every
    // upsert would cost more than reading the row back on the tables that have them.
    count =
      `(SELECT count(*) FROM pg_class c WHERE c.oid = ${literal(ref)}::regclass` +
      ` AND (c.relhastriggers OR c.relhasrules OR c.relhassubclass OR c.relkind <> 'r'))`;
  } else {
    const quoted = literal(name);
    const triggers = (schema: string) => `(SELECT count(*) FROM ${schema} WHERE type = 'trigger' AND tbl_name = ${quoted} COLLATE NOCASE)`;
    const action = "NOT IN ('NO ACTION', 'RESTRICT')";
    // D1 keeps no TEMP schema; on SQLite a TEMP trigger may watch a main table.
    count =
      `${triggers('sqlite_master')}${dialect === 'sqlite' ? ` + ${triggers('sqlite_temp_master')}` : ''}` +
      ` + (SELECT count(*) FROM pragma_foreign_key_list(${quoted}) WHERE on_delete ${action} OR on_update ${action})`;
  }
  return ` RETURNING *, ${count} AS "${CHANGERS}"`;
}

/**
 * The rows as the table holds them, without the count, or `undefined` when something may
 * change the table's rows after the statement (or the count is missing).
 */
export function storedRows(rows: readonly Row[]): Row[] | undefined {
  const out: Row[] = [];
  for (const row of rows) {
    const { [CHANGERS]: changers, ...rest } = row;
    if (changers === undefined || changers === null || Number(changers) !== 0) return undefined;
    out.push(rest);
  }
  return out;
}
