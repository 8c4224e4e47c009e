import { SqlTokenizer, quoteIdentifier, type DatabaseAdapter, type Statement } from '@switchyard/core';
import type { SchemaTranslator } from '../dual-write-options';
import type { ReplicatorParts, SideStatement } from './replication-types';
import { nameAt, tokenize, type Token } from './sql-tokens';

/**
 * A SQLite definition whose Postgres form is read from what the primary made: a table, an
 * index, or a column added to a table, by name. `ifNotExists`: the app's statement says so
 * (it may have changed nothing on the primary, and must change nothing on the secondary).
 */
export interface Translation {
  what: 'table' | 'index' | 'column';
  table: string;
  name: string;
  ifNotExists: boolean;
}

/** Why such a statement is replayed in other words, for metadata and its one-time event. */
export const TRANSLATED =
  'a SQLite definition, run on Postgres as translateSchema translates what the primary made (types, keys, defaults, indexes)';

/**
 * The secondary's forms of a SQLite or D1 primary's statements for a Postgres secondary,
 * when the app passed `translateSchema`: a `CREATE TABLE`, `CREATE INDEX` or `ALTER TABLE …
 * ADD COLUMN` is marked with its {@link Translation} (its text is translated once the
 * primary ran it), and any other definition has its backquoted and bracketed names double
 * quoted (`DROP TABLE \`users\``), which Postgres would refuse as written. Run as written,
 * a SQLite definition that Postgres parses still makes other tables there: `id INTEGER
 * PRIMARY KEY` an `integer` with no identity, so the first insert after a switch fails.
 */
export function markTranslations(primary: DatabaseAdapter, secondary: DatabaseAdapter, statements: SideStatement[]): SideStatement[] {
  if (primary.dialect === 'postgres' || secondary.dialect !== 'postgres') return statements;
  return statements.map((s) => {
    if (s.idle || s.params?.length || !/^\s*(?:CREATE|ALTER|DROP)\b/i.test(s.sql)) return s;
    const translation = translationOf(tokenize(s.sql));
    if (translation) return { ...s, translation };
    const sql = doubleQuoted(s.sql);
    return sql === s.sql ? s : { ...s, sql };
  });
}

const word = (t: Token | undefined, ...words: string[]) => t?.kind === 'word' && words.includes(t.text.toUpperCase());

/** What `tokens` (one statement) defines that a translation covers, if anything. */
export function translationOf(tokens: readonly Token[]): Translation | undefined {
  let at = 1;
  const skip = (...words: string[]) => {
    const found = words.every((w, i) => word(tokens[at + i], w));
    if (found) at += words.length;
    return found;
  };
  if (word(tokens[0], 'ALTER')) {
    if (!skip('TABLE')) return undefined;
    const table = nameAt(tokens, at);
    if (!table || !word(tokens[table.next], 'ADD')) return undefined;
    at = table.next + 1;
    skip('COLUMN');
    const ifNotExists = skip('IF', 'NOT', 'EXISTS');
    const column = tokens[at];
    if (
      !column ||
      (column.kind !== 'word' && column.kind !== 'ident') ||
      word(column, 'CONSTRAINT', 'PRIMARY', 'UNIQUE', 'CHECK', 'FOREIGN')
    )
      return undefined;
    return { what: 'column', table: table.name, name: column.text, ifNotExists };
  }
  if (!word(tokens[0], 'CREATE')) return undefined;
  const unique = skip('UNIQUE');
  const what = word(tokens[at], 'TABLE') && !unique ? 'table' : word(tokens[at], 'INDEX') ? 'index' : undefined;
  if (!what) return undefined;
  at++;
  const ifNotExists = skip('IF', 'NOT', 'EXISTS');
  const named = nameAt(tokens, at);
  if (!named) return undefined;
  if (what === 'table') {
    // A table filled by a query keeps its statement: its rows are the primary's to send.
    const body = tokens[named.next];
    if (body?.text !== '(' || tokens.some((t) => t.depth === 0 && word(t, 'AS'))) return undefined;
    return { what, table: named.name, name: named.name, ifNotExists };
  }
  if (!word(tokens[named.next], 'ON')) return undefined;
  const table = nameAt(tokens, named.next + 1);
  return table && { what, table: table.name, name: named.name, ifNotExists };
}

/** `sql` with its backquoted and bracketed names in double quotes, Postgres's only form. */
function doubleQuoted(sql: string): string {
  if (!/[`[]/.test(sql)) return sql;
  const lexer = new SqlTokenizer(sql, { escapeStrings: false, nestedComments: false, dollarQuotes: false });
  let out = '';
  let at = 0;
  while (lexer.next()) {
    const open = sql[lexer.start];
    if (lexer.kind !== 'quoted' || open === '"') continue;
    const inner = lexer.text.slice(1, -1);
    out += sql.slice(at, lexer.start) + quoteIdentifier(open === '`' ? inner.replaceAll('``', '`') : inner);
    at = lexer.end;
  }
  return out + sql.slice(at);
}

/**
 * What the secondary runs for a statement the replicator replays, once the primary ran it:
 * its secondary form, or the statements translated from what the primary made (see
 * {@link translatedForms}). The shape is noted with what the translation left out.
 */
export async function secondaryForms(
  parts: Pick<ReplicatorParts, 'noteReplay'> & { options: { translateSchema?: SchemaTranslator } },
  primary: DatabaseAdapter,
  step: { secondary: SideStatement; reason: string },
): Promise<Statement[]> {
  const { secondary, reason } = step;
  const translator = parts.options.translateSchema;
  if (!secondary.translation || !translator) {
    parts.noteReplay(secondary.sql, reason);
    return [secondary];
  }
  // Unread, the definition goes as written (quoted for Postgres): it fails there and waits in the journal, named.
  const { statements, leftOut } = await translatedForms(primary, translator, secondary.translation).catch((error: unknown) => ({
    statements: [{ sql: doubleQuoted(secondary.sql) }],
    leftOut: [`the primary's table could not be read (${(error as Error).message})`],
  }));
  // translateSchema reads CHECKs only from introspectSchemaObjects, which is not asked here.
  if (tokenize(secondary.sql).some((t, i, all) => word(t, 'CHECK') && all[i + 1]?.text === '('))
    leftOut.push('its CHECK constraints (add them to Postgres by hand)');
  parts.noteReplay(secondary.sql, leftOut.length > 0 ? `${reason}; left out: ${leftOut.join('; ')}` : reason);
  return statements;
}

/**
 * The Postgres statements for `translation`, from the primary's table as it stands after
 * the primary ran the definition, and what the translation left out (a default such as
 * `unixepoch()`, an expression index), which the secondary lacks until added by hand.
 */
export async function translatedForms(
  primary: DatabaseAdapter,
  translator: SchemaTranslator,
  translation: Translation,
): Promise<{ statements: Statement[]; leftOut: string[] }> {
  const { what, name } = translation;
  // The primary's table is read once the whole write ran. In a batch that creates a table and
  // then adds to it (Drizzle's migrator sends every pending migration in one), the table's
  // translation holds what the later statements add: those must then change nothing.
  const ifNotExists = translation.ifNotExists || what !== 'table';
  const lower = translation.table.toLowerCase();
  const tables = await primary.introspect();
  const table = tables.find((t) => t.name.toLowerCase() === lower);
  if (!table) return { statements: [], leftOut: [`table ${translation.table} was not found on the primary`] };
  // A new table's own indexes are its constraints'; one made by a later CREATE INDEX (in the same batch) comes with that.
  const own = what === 'table' ? { ...table, indexes: table.indexes.filter((i) => i.name.startsWith('sqlite_autoindex_')) } : table;
  // Every table goes in, so that a foreign key finds the table it references; only this one's statements come out.
  const out = translator(
    tables.map((t) => (t === table ? own : t)),
    'postgres',
    { from: primary.dialect, ifNotExists },
  );
  const target = quoteIdentifier(table.name);
  const create = out.tables.filter((sql) => sql.startsWith(`CREATE TABLE ${ifNotExists ? 'IF NOT EXISTS ' : ''}${target} (`));
  const post = out.postData
    .filter((sql) => sql.startsWith(`ALTER TABLE ${target} `) || sql.includes(` ON ${target} (`))
    .map((sql) => (ifNotExists ? unlessThere(sql) : sql));
  const notes = out.untranslated.filter((w) => w.table === table.name);
  if (what === 'table') return { statements: [...create, ...post].map((sql) => ({ sql })), leftOut: notes.map((w) => w.message) };
  if (what === 'index') {
    const quoted = quoteIdentifier(table.indexes.find((i) => i.name.toLowerCase() === name.toLowerCase())?.name ?? name);
    const index = post.filter((sql) => /^CREATE\s+(?:UNIQUE\s+)?INDEX\b/i.test(sql) && sql.includes(` ${quoted} ON `));
    const leftOut = index.length > 0 ? [] : [`index ${name} has no Postgres form (translateSchema left it out)`];
    return { statements: index.map((sql) => ({ sql })), leftOut };
  }
  const column = table.columns.find((c) => c.name.toLowerCase() === name.toLowerCase())?.name ?? name;
  const line = new RegExp(`^\\s*${escaped(quoteIdentifier(column))} (.*?),?$`, 'm').exec(create[0] ?? '');
  if (!line) return { statements: [], leftOut: [`column ${name} was not found on the primary`] };
  const add = `ALTER TABLE ${quoteIdentifier(table.name)} ADD COLUMN ${ifNotExists ? 'IF NOT EXISTS ' : ''}${quoteIdentifier(column)} ${line[1]}`;
  // Its foreign key, as translateSchema adds one: NOT VALID, then validated.
  const key = post.filter((sql) => sql.includes(`FOREIGN KEY (${quoteIdentifier(column)})`));
  const names = key.map((sql) => /ADD CONSTRAINT ("(?:[^"]|"")+")/.exec(sql)?.[1]).filter((n) => n !== undefined);
  const validate = post.filter((sql) => names.some((n) => sql.endsWith(`VALIDATE CONSTRAINT ${n}`)));
  const leftOut = notes.filter((w) => w.column?.toLowerCase() === column.toLowerCase()).map((w) => w.message);
  return { statements: [add, ...key, ...validate].map((sql) => ({ sql })), leftOut };
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

const escaped = (text: string) => text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
