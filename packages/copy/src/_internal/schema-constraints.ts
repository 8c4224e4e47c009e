import { quoteIdentifier, type TableInfo } from '@switchyard/core';
import type { SchemaScope } from './schema-columns';
import { addConstraint, checkSql, constraintName } from './schema-post-data';
import { referencedName } from './table-order';

/**
 * A table's foreign keys and CHECKs: `ADD CONSTRAINT` statements on a Postgres target,
 * lines of its `CREATE TABLE` (in `lines`) on SQLite and D1, which cannot add them later.
 */
export function tableConstraints(table: TableInfo, ref: string, scope: SchemaScope, lines: string[], tableChecks: readonly string[]): void {
  const { from, to, objects, name, warnings, selected, cycles, constraints } = scope;
  const toPg = to === 'postgres';
  for (const fk of table.foreignKeys) {
    const parent = referencedName(fk);
    const clause =
      `FOREIGN KEY (${fk.columns.map(name).join(', ')}) REFERENCES ${name(parent)}` +
      (fk.referencedColumns.length ? ` (${fk.referencedColumns.map(name).join(', ')})` : '') +
      action('DELETE', fk.onDelete) +
      action('UPDATE', fk.onUpdate) +
      (fk.deferrable ? ` DEFERRABLE INITIALLY ${fk.deferrable.toUpperCase()}` : '');
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
}

function action(kind: 'DELETE' | 'UPDATE', value: string | undefined): string {
  if (!value) return '';
  const v = value.toUpperCase().replace(/_/g, ' ');
  return v === 'NO ACTION' || v === '' ? '' : ` ON ${kind} ${v}`;
}
