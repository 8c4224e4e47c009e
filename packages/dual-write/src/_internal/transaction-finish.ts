import type { DatabaseAdapter, Statement } from '@switchyard/core';
import type { RecordingContext } from './recording-transaction';
import type { SideStatement } from './replication-types';
import { markTranslations, renameOf, translatedReason, withLeftOut } from './translated-definitions';
import { definesTables } from './mirror-pairs';
import { definitionForms, readOnce } from './translated-forms';
import { tokenize } from './sql-tokens';

/**
 * The end of a recorded transaction that changed tables, just before its commit, when the
 * tables are as the commit will leave them. Its SQLite definitions are translated for a
 * Postgres secondary from those tables (a table rebuilt within it, drizzle-kit's way to
 * alter a column, is followed as in a batch: see `markTranslations`), and the rows it wrote
 * into a table it then renamed are named by the table's new name, where they are now.
 */
export async function finishRecord(context: RecordingContext, tx: DatabaseAdapter): Promise<void> {
  const { record, catalog, primary, secondary, translateSchema, replicator } = context;
  if (!definesTables(record.replays)) return;
  // The rows are read again, and built for the mirror, with the tables as they are now.
  catalog.invalidate();
  await followRenames(context, tx);
  if (!translateSchema) return;
  const marked = markTranslations(primary, secondary, record.replays as SideStatement[], translateSchema);
  if (!marked.some((s) => s.translation)) return;
  const tables = readOnce(tx);
  record.untranslated = record.replays;
  const replays: Statement[] = [];
  for (const s of marked) {
    if (!s.translation) {
      replays.push(s);
      continue;
    }
    const { statements, leftOut } = await definitionForms(tables, translateSchema, s.translation, s.sql);
    replicator.noteReplay(s.sql, withLeftOut(translatedReason(s.translation), leftOut));
    replays.push(...statements.map((f) => ({ sql: f.sql, params: [] })));
  }
  // A key is validated once the rows it checks are there: a rebuilt table's come after the definitions.
  const validates = (s: Statement) => / VALIDATE CONSTRAINT "(?:[^"]|"")+"$/.test(s.sql);
  record.replays = replays.filter((s) => !validates(s));
  const afterRows = replays.filter(validates);
  if (afterRows.length > 0) record.afterRows = afterRows;
}

/** Rows recorded under a table's old name, where the transaction renamed it and no table has that name now. */
async function followRenames(context: RecordingContext, tx: DatabaseAdapter): Promise<void> {
  const { record, catalog, primary } = context;
  const renames = new Map<string, string>();
  for (const s of record.replays) {
    if (s.params?.length || !/^\s*ALTER\b/i.test(s.sql)) continue;
    const rename = renameOf(tokenize(s.sql));
    if (!rename) continue;
    renames.set(rename.from.toLowerCase(), rename.to);
    // A table renamed twice ends under its last name.
    for (const [from, to] of renames) if (to.toLowerCase() === rename.from.toLowerCase()) renames.set(from, rename.to);
  }
  if (renames.size === 0) return;
  const gone = new Map<string, string>();
  for (const [from, to] of renames) if (!(await catalog.table(primary, from, tx))) gone.set(from, to);
  const moved = <T extends { table: string }>(r: T): T => {
    const to = gone.get(r.table.toLowerCase());
    return to ? { ...r, table: to } : r;
  };
  record.refs = record.refs.map(moved);
  record.images = record.images.map(moved);
  if (record.replaced) record.replaced = record.replaced.map(moved);
}
