import { jsonTextItems, type DialectName, type Row, type TableInfo } from '@switchyard/core';

/** The column an upsert returns beside the row: how many things on its table may change rows after a statement. */
const CHANGERS = '_switchyard_changers';

/**
 * ` RETURNING *` for `table`; on SQLite and D1 with a count, taken by the same
 * statement, of what may change the table's rows after the statement returned them: its
 * triggers, and its foreign keys with an `ON DELETE`/`ON UPDATE` action. Read in the
 * statement, the count is never older than the rows: a trigger created a moment before
 * is counted.
 */
export function returningClause(table: TableInfo, dialect: DialectName): string {
  const name = table.name;
  const literal = (text: string) => `'${text.replace(/'/g, "''")}'`;
  // Postgres: planning catalog reads in every upsert costs about what reading the row back
  // does, so its tables are asked once in a while instead (TableCatalog.returnsStoredRows).
  // With the text of bare JSON documents (see core's `jsonTextItems`).
  if (dialect === 'postgres') return ` RETURNING *${jsonTextItems(table, '')}`;
  const quoted = literal(name);
  const triggers = (schema: string) => `(SELECT count(*) FROM ${schema} WHERE type = 'trigger' AND tbl_name = ${quoted} COLLATE NOCASE)`;
  const action = "NOT IN ('NO ACTION', 'RESTRICT')";
  // D1 keeps no TEMP schema; on SQLite a TEMP trigger may watch a main table.
  const count =
    `${triggers('sqlite_master')}${dialect === 'sqlite' ? ` + ${triggers('sqlite_temp_master')}` : ''}` +
    ` + (SELECT count(*) FROM pragma_foreign_key_list(${quoted}) WHERE on_delete ${action} OR on_update ${action})`;
  return ` RETURNING *, ${count} AS "${CHANGERS}"`;
}

/**
 * The rows without the count, or `undefined` when the count says something may change the
 * table's rows after the statement. Rows without a count (Postgres) were asked for only
 * when the side's catalog said nothing does.
 */
export function storedRows(rows: readonly Row[]): Row[] | undefined {
  const out: Row[] = [];
  for (const row of rows) {
    const { [CHANGERS]: changers, ...rest } = row;
    if (changers !== undefined && Number(changers) !== 0) return undefined;
    out.push(rest);
  }
  return out;
}
