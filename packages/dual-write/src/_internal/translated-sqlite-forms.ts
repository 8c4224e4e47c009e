import { quoteIdentifier, UnsupportedError, type DatabaseAdapter, type TableInfo } from '@switchyard/core';
import type { SchemaTranslator } from '../dual-write-options';
import type { Forms, TablesReader, Translation } from './translated-definitions';
import { literalPattern } from './literal-pattern';

/**
 * The SQLite statements for a Postgres primary's definition (see `markedForSqlite`), from
 * the primary's tables as the write left them: the table `translateSchema` makes (an identity
 * key the rowid, `now()` SQLite's clock, `varchar(n)` a `CHECK` of its length) with its
 * indexes, an index, or a column added with its translated definition. What the translation
 * leaves out (a default such as `gen_random_uuid()`) is named, for the app to add by hand
 * before it switches back.
 */
export async function sqliteForms(primary: TablesReader, translator: SchemaTranslator, translation: Translation): Promise<Forms> {
  const { what, name } = translation;
  if (what === 'trigger')
    return {
      statements: [],
      leftOut: ['the trigger: SQLite gets the rows it writes on the primary; port it by hand before switching back'],
    };
  if (what === 'type') return { statements: [], leftOut: [] };
  // The same write's CREATE TABLE already made the column.
  if (translation.covered) return { statements: [], leftOut: [] };
  const tables = await primary.introspect();
  const table = tables.find((t) => t.name.toLowerCase() === translation.table.toLowerCase());
  if (!table) return { statements: [], leftOut: [`table ${translation.table} was not found on the primary`] };
  const out = translator(tables, translation.to!, { from: 'postgres', ifNotExists: true });
  const target = quoteIdentifier(table.name);
  const create = out.tables.find((s) => s.startsWith(`CREATE TABLE IF NOT EXISTS ${target} (`));
  // An index made later in the same write is in the table too: each is made only if missing.
  const indexes = out.postData.filter((s) => s.includes(` ON ${target} (`));
  const notes = out.untranslated.filter((w) => w.table === table.name);
  if (!create) return { statements: [], leftOut: [`table ${table.name} has no SQLite form`] };
  if (what === 'rebuild') return rebuildForms(table, create, indexes, notes);
  if (what === 'table') {
    const made = translation.ifNotExists ? create : create.replace('CREATE TABLE IF NOT EXISTS ', 'CREATE TABLE ');
    return { statements: [made, ...indexes].map((sql) => ({ sql })), leftOut: notes.map((w) => w.message) };
  }
  if (what === 'index') {
    const quoted = quoteIdentifier(table.indexes.find((i) => i.name.toLowerCase() === name.toLowerCase())?.name ?? name);
    const index = indexes.filter((s) => s.includes(` ${quoted} ON `));
    return { statements: index.map((sql) => ({ sql })), leftOut: index.length > 0 ? [] : [`index ${name} has no SQLite form`] };
  }
  const column = table.columns.find((c) => c.name.toLowerCase() === name.toLowerCase())?.name ?? name;
  const line = new RegExp(`^\\s*${literalPattern(quoteIdentifier(column))} (.*?),?$`, 'm').exec(create);
  if (!line) return { statements: [], leftOut: [`column ${name} was not found on the primary`] };
  const leftOut = notes.filter((w) => w.column?.toLowerCase() === column.toLowerCase()).map((w) => w.message);
  // SQLite adds no column whose default is not a constant (the clock, an expression): the
  // rows the primary filled are copied over after the change (see `generatesOnAlter`).
  const computed = /\sDEFAULT\s+(?:\(|CURRENT_(?:TIMESTAMP|DATE|TIME)\b)/i;
  let definition = line[1]!;
  if (computed.test(definition)) {
    definition = definition.replace(/\s+NOT NULL\b/i, '').replace(/\s+DEFAULT\s+(?:\((?:[^()]|\([^()]*\))*\)|CURRENT_\w+)/i, '');
    leftOut.push(
      `its default (SQLite adds no column with a computed default): after a switch back, SQLite's new rows get NULL there unless the app gives a value`,
    );
  }
  return { statements: [{ sql: `ALTER TABLE ${target} ADD COLUMN ${quoteIdentifier(column)} ${definition}` }], leftOut };
}

/**
 * A SQLite table made again with its new definition, for an `ALTER` SQLite has no statement
 * for: its rows copied aside, the table dropped and created again under its own name, the
 * rows put back, its indexes made. Nothing is renamed: a rename would rewrite the foreign
 * keys of the tables that reference it to the old table. Those keys are checked at the
 * commit (`defer_foreign_keys`): the drop leaves their rows pointing nowhere, and putting the
 * rows back makes them point again. A value the change converted on Postgres arrives with
 * the rows the primary's copy brings after it (see `generatesOnAlter`).
 */
function rebuildForms(table: TableInfo, create: string, indexes: readonly string[], notes: readonly { message: string }[]): Forms {
  const target = quoteIdentifier(table.name);
  const aside = quoteIdentifier(`__switchyard_copy_${table.name}`);
  const columns = table.columns.map((c) => quoteIdentifier(c.name)).join(', ');
  const statements = [
    'PRAGMA defer_foreign_keys = ON',
    `CREATE TABLE ${aside} AS SELECT * FROM ${target}`,
    `DROP TABLE ${target}`,
    create.replace('CREATE TABLE IF NOT EXISTS ', 'CREATE TABLE '),
    `INSERT INTO ${target} (${columns}) SELECT ${columns} FROM ${aside}`,
    `DROP TABLE ${aside}`,
    ...indexes,
  ];
  const leftOut = [...notes.map((w) => w.message), 'its CHECK constraints and triggers, which the table made again does not keep'];
  return { statements: statements.map((sql) => ({ sql })), leftOut };
}

/**
 * Refuses, before the primary runs it, a change SQLite makes by making the table again (see
 * {@link rebuildForms}) when a foreign key with an `ON DELETE` action references that table:
 * SQLite's drop of the old table deletes its rows first, and the action would run on the rows
 * that reference them (a cascade deleting them), deferred keys or not.
 */
export async function refuseActingRebuild(
  tablesOf: () => Promise<TableInfo[]>,
  side: DatabaseAdapter,
  statements: readonly { translation?: Translation }[],
): Promise<void> {
  const rebuilt = statements.flatMap((s) => (s.translation?.what === 'rebuild' ? [s.translation.table.toLowerCase()] : []));
  if (rebuilt.length === 0) return;
  const tables = await tablesOf();
  for (const name of rebuilt) {
    const acting = tables.find((t) =>
      t.foreignKeys.some((k) => k.referencedTable.toLowerCase() === name && !/^(?:NO ACTION)?$/i.test(k.onDelete ?? '')),
    );
    if (!acting) continue;
    throw new UnsupportedError(
      `${side.name} (${side.dialect}, the secondary) has no ALTER for this change: SQLite makes ${name} again to make it, ` +
        `and ${acting.name}'s foreign key to it has an ON DELETE action that would run on its rows when the old table is dropped. ` +
        'Nothing was written. Apply it to each side in its own words (on SQLite, with foreign keys off, as its documentation says), ' +
        'or hold it until the way back is closed.',
    );
  }
}
