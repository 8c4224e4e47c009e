import { quoteIdentifier, type DatabaseAdapter, type Statement, type TableInfo } from '@switchyard/core';
import type { SchemaTranslator } from '../dual-write-options';
import type { ReplicatorParts, SideStatement } from './replication-types';
import { doubleQuoted, withLeftOut, type Forms, type TablesReader, type Translation } from './translated-definitions';
import { tokenize } from './sql-tokens';
import { literalPattern } from './literal-pattern';
import { sqliteForms } from './translated-sqlite-forms';

/**
 * `primary` reading its tables once: every definition of one write (Drizzle's migrator sends
 * all pending migrations in one batch) is translated from the tables as the write left them,
 * and on D1 each read of them is a round trip per table.
 */
export function readOnce(primary: DatabaseAdapter): TablesReader {
  let read: Promise<TableInfo[]> | undefined;
  return { dialect: primary.dialect, introspect: () => (read ??= primary.introspect()) };
}

/**
 * What the secondary runs for a statement the replicator replays, once the primary ran it:
 * its secondary form, or the statements translated from what the primary made (see
 * {@link translatedForms}). The shape is noted with what the translation left out.
 */
export async function secondaryForms(
  parts: Pick<ReplicatorParts, 'noteReplay'> & { options: { translateSchema?: SchemaTranslator } },
  primary: TablesReader,
  step: { secondary: SideStatement; reason: string },
): Promise<Statement[]> {
  const { secondary, reason } = step;
  const translator = parts.options.translateSchema;
  if (!secondary.translation || !translator) {
    parts.noteReplay(secondary.sql, reason);
    return [secondary];
  }
  const { statements, leftOut } = await definitionForms(primary, translator, secondary.translation, secondary.sql);
  parts.noteReplay(secondary.sql, withLeftOut(reason, leftOut));
  return statements;
}

/**
 * {@link translatedForms} of a marked definition, with its `CHECK` constraints named as left
 * out. When the primary's tables cannot be read, the definition goes as written (quoted for
 * Postgres): it fails there and waits in the journal or the outbox, named.
 */
export async function definitionForms(
  primary: TablesReader,
  translator: SchemaTranslator,
  translation: Translation,
  sql: string,
): Promise<Forms> {
  const forms = await translatedForms(primary, translator, translation, sql).catch((error: unknown): Forms => ({
    statements: [{ sql: doubleQuoted(sql) }],
    leftOut: [`the primary's table could not be read (${(error as Error).message})`],
  }));
  // translateSchema reads CHECKs only from introspectSchemaObjects, which is not asked here.
  if (tokenize(sql).some((t, i, all) => t.kind === 'word' && /^check$/i.test(t.text) && all[i + 1]?.text === '('))
    forms.leftOut.push('its CHECK constraints (add them to the secondary by hand)');
  return forms;
}

/**
 * The Postgres statements for `translation`, from the primary's tables as they stand after
 * the primary ran the write, and what the translation left out (a default such as
 * `randomblob(8)`, an expression index), which the secondary lacks until added by hand.
 * `sql` is the statement as the secondary would run it untranslated (a rebuild's drop and rename).
 */
export async function translatedForms(
  primary: TablesReader,
  translator: SchemaTranslator,
  translation: Translation,
  sql: string,
): Promise<Forms> {
  if (translation.to) return sqliteForms(primary, translator, translation);
  const { what, name } = translation;
  if (what === 'trigger')
    return {
      statements: [],
      leftOut: ['the trigger: Postgres gets the rows it writes on the primary; port it by hand (a trigger function) before the switch'],
    };
  // The primary's tables are read once the whole write ran. In a batch that creates a table
  // and then adds to it (Drizzle's migrator sends every pending migration in one), the
  // table's translation holds what the later statements add: those must then change nothing.
  const ifNotExists = translation.ifNotExists || what === 'index' || what === 'column';
  const tables = await primary.introspect();
  const find = (n: string) => tables.find((t) => t.name.toLowerCase() === n.toLowerCase());
  const table = find(translation.final ?? translation.table);
  if (!table) return { statements: [], leftOut: [`table ${translation.final ?? translation.table} was not found on the primary`] };
  // A new table's own indexes are its constraints'; one made by a later CREATE INDEX comes with that.
  // Rebuilt, it takes its final definition under the name it is created with.
  const own: TableInfo =
    what === 'table'
      ? { ...table, name: translation.table, indexes: table.indexes.filter((i) => i.name.startsWith('sqlite_autoindex_')) }
      : table;
  // Every table goes in, so that a foreign key finds the table it references; only this one's
  // statements come out. A rebuilt table's final definition stays in too, for its keys to name.
  const input = translation.final === undefined ? tables.map((t) => (t === table ? own : t)) : [...tables, own];
  const out = translator(input, 'postgres', { from: primary.dialect, ifNotExists });
  const target = quoteIdentifier(own.name);
  if (what === 'drop' || what === 'rename') return rebuildForms(translation, out.postData, target, sql);
  const create = out.tables.filter((s) => s.startsWith(`CREATE TABLE ${ifNotExists ? 'IF NOT EXISTS ' : ''}${target} (`));
  // A rebuilt table's keys to itself would reference the table it replaces: its rename adds them.
  const toFinal = ` REFERENCES ${quoteIdentifier(table.name)} (`;
  const later = translation.final === undefined ? [] : out.postData.filter((s) => s.includes(toFinal)).map(constraintName);
  const post = out.postData
    .filter((s) => s.startsWith(`ALTER TABLE ${target} `) || s.includes(` ON ${target} (`))
    .filter((s) => !later.some((n) => s.includes(`CONSTRAINT ${n}`)))
    .map((s) => (ifNotExists ? unlessThere(s) : s));
  const notes = out.untranslated.filter((w) => w.table === own.name);
  if (what === 'table') return { statements: [...create, ...post].map((s) => ({ sql: s })), leftOut: notes.map((w) => w.message) };
  if (what === 'index') {
    const quoted = quoteIdentifier(table.indexes.find((i) => i.name.toLowerCase() === name.toLowerCase())?.name ?? name);
    const index = post.filter((s) => /^CREATE\s+(?:UNIQUE\s+)?INDEX\b/i.test(s) && s.includes(` ${quoted} ON `));
    const leftOut = index.length > 0 ? [] : [`index ${name} has no Postgres form (translateSchema left it out)`];
    return { statements: index.map((s) => ({ sql: s })), leftOut };
  }
  const column = table.columns.find((c) => c.name.toLowerCase() === name.toLowerCase())?.name ?? name;
  const line = new RegExp(`^\\s*${literalPattern(quoteIdentifier(column))} (.*?),?$`, 'm').exec(create[0] ?? '');
  if (!line) return { statements: [], leftOut: [`column ${name} was not found on the primary`] };
  const add = `ALTER TABLE ${target} ADD COLUMN IF NOT EXISTS ${quoteIdentifier(column)} ${line[1]}`;
  const leftOut = notes.filter((w) => w.column?.toLowerCase() === column.toLowerCase()).map((w) => w.message);
  const key = withValidation(post, (s) => s.includes(`FOREIGN KEY (${quoteIdentifier(column)})`));
  return { statements: [{ sql: add }, ...key], leftOut };
}

/**
 * A rebuilt table's drop and rename on Postgres, where the foreign keys of other tables
 * reference the table itself, not its name as in SQLite: the drop first drops those keys
 * (it would be refused otherwise), and the rename adds them again, to the new table.
 */
function rebuildForms(translation: Translation, postData: readonly string[], target: string, sql: string): Forms {
  const referencing = (s: string) => s.includes(` REFERENCES ${target} (`);
  // The rename adds every key to the table, its own to itself included (left out when it was created).
  if (translation.what === 'rename') return { statements: [{ sql }, ...withValidation(postData, referencing)], leftOut: [] };
  // The table's own keys to itself go with it.
  const others = (s: string) => !s.startsWith(`ALTER TABLE ${target} `) && referencing(s);
  const drops = postData.filter(others).map((s) => {
    const [, table, constraint] = /^ALTER TABLE ("(?:[^"]|"")+") ADD CONSTRAINT ("(?:[^"]|"")+")/.exec(s)!;
    return { sql: `ALTER TABLE ${table} DROP CONSTRAINT IF EXISTS ${constraint}` };
  });
  return { statements: [...drops, { sql }], leftOut: [] };
}

/** The constraints of `postData` that `pick` takes, each added only when missing, then validated (translateSchema adds them NOT VALID). */
function withValidation(postData: readonly string[], pick: (sql: string) => boolean): Statement[] {
  const adds = postData.filter((s) => s.includes(' ADD CONSTRAINT ') && pick(s));
  const names = adds.map(constraintName);
  const validate = postData.filter((s) => names.some((n) => s.endsWith(`VALIDATE CONSTRAINT ${n}`)));
  return [...adds.map(unlessThere), ...validate].map((s) => ({ sql: s }));
}

/**
 * A constraint added only when the table does not have it yet: Postgres has no `ADD
 * CONSTRAINT IF NOT EXISTS`, and `CREATE TABLE IF NOT EXISTS` of a table the secondary holds
 * must change nothing there. Indexes come with `IF NOT EXISTS` already.
 */
function unlessThere(sql: string): string {
  if (!/^ALTER TABLE .* ADD CONSTRAINT /.test(sql)) return sql;
  return `DO $switchyard$ BEGIN ${sql}; EXCEPTION WHEN duplicate_object OR duplicate_table THEN NULL; END $switchyard$`;
}

/** The quoted name a translateSchema `ADD CONSTRAINT` statement gives its constraint. */
const constraintName = (sql: string): string => /ADD CONSTRAINT ("(?:[^"]|"")+")/.exec(sql)![1]!;
