import { SqlTokenizer, quoteIdentifier, type DatabaseAdapter, type Statement } from '@switchyard/core';
import type { SideStatement } from './replication-types';
import { nameAt, tokenize, type Token } from './sql-tokens';
import { translatedView } from './translated-views';
import type { SchemaTranslator } from '../dual-write-options';

/**
 * A SQLite definition whose Postgres form is read from what the primary made: a table, an
 * index, or a column added to a table, by name. `ifNotExists`: the app's statement says so
 * (it may have changed nothing on the primary, and must change nothing on the secondary).
 * A table rebuilt in one batch (SQLite's way to alter a column: create `__new_t`, fill it,
 * drop `t`, rename `__new_t` to `t`) also marks the `drop` of `table` and the `rename` of
 * `name` to `table`, and the new table reads its definition from the `final` name. A
 * `trigger` (created or dropped) is not made on Postgres, as `translateSchema` makes none.
 */
export interface Translation {
  what: 'table' | 'index' | 'column' | 'drop' | 'rename' | 'trigger' | 'type' | 'rebuild';
  table: string;
  name: string;
  ifNotExists: boolean;
  final?: string;
  /** The secondary's engine when the translation goes the other way, from a Postgres primary to SQLite or D1. */
  to?: 'sqlite' | 'd1';
  /** A column the same write's `CREATE TABLE` already makes (SQLite has no `ADD COLUMN IF NOT EXISTS`). */
  covered?: boolean;
}

/** Why such a statement is replayed in other words, for metadata and its one-time event. */
export const TRANSLATED =
  'a SQLite definition, run on Postgres as translateSchema translates what the primary made (types, keys, defaults, indexes)';

/** The same, from a Postgres primary to a SQLite or D1 secondary. */
const TRANSLATED_TO_SQLITE =
  'a Postgres definition, run on SQLite as translateSchema translates what the primary made (types, keys, defaults, indexes)';

/** Why a marked statement is replayed in other words. */
export const translatedReason = (translation: Translation): string => (translation.to ? TRANSLATED_TO_SQLITE : TRANSLATED);

/** A replay's reason with what its translation left out, as its event and `getMetadata()` say it. */
export const withLeftOut = (reason: string, leftOut: readonly string[]): string =>
  leftOut.length > 0 ? `${reason}; left out: ${leftOut.join('; ')}` : reason;

/** A definition's statements on the secondary, and what its translation left out. */
export type Forms = { statements: Statement[]; leftOut: string[] };

/** Where a translation reads the primary's tables: the adapter, or `readOnce` of it. */
export type TablesReader = Pick<DatabaseAdapter, 'dialect' | 'introspect'>;

/**
 * The secondary's forms of a SQLite or D1 primary's statements for a Postgres secondary,
 * when the app passed `translateSchema`: a `CREATE TABLE`, `CREATE INDEX` or `ALTER TABLE …
 * ADD COLUMN` is marked with its {@link Translation} (its text is translated once the
 * primary ran it), as are the drop and rename of a table rebuilt within these statements,
 * and every other statement has its backquoted and bracketed names double quoted (`DROP
 * TABLE \`users\``), which Postgres would refuse as written. Run as written, a SQLite
 * definition that Postgres parses still makes other tables there: `id INTEGER PRIMARY KEY`
 * an `integer` with no identity, so the first insert after a switch fails. A `CREATE VIEW`,
 * either way, is written in the secondary's words when `translator` can (see `translatedView`).
 */
export function markTranslations(
  primary: DatabaseAdapter,
  secondary: DatabaseAdapter,
  statements: SideStatement[],
  translator?: SchemaTranslator,
): SideStatement[] {
  if ((primary.dialect === 'postgres') === (secondary.dialect === 'postgres')) return statements;
  // A view's SQL is translated now, before it runs: what cannot be goes as written, and is refused.
  const view = (s: SideStatement, sql: string) =>
    translator && !s.idle ? translatedView(translator, sql, primary.dialect, secondary.dialect) : undefined;
  if (primary.dialect === 'postgres')
    return markedForSqlite(statements, secondary.dialect as 'sqlite' | 'd1').map((s) => {
      const v = view(s, s.sql);
      return v ? { ...s, sql: v } : s;
    });
  const tokens = statements.map((s) => (s.idle || s.params?.length ? undefined : tokenize(s.sql)));
  const renames = tokens.map((t) => t && renameOf(t));
  const dropped = tokens.map((t) => t && droppedTable(t));
  const same = (a: string | undefined, b: string) => a?.toLowerCase() === b.toLowerCase();
  return statements.map((s, i) => {
    const t = tokens[i];
    if (!t) return s;
    const sql = doubleQuoted(s.sql);
    const translatedSql = view(s, sql);
    if (translatedSql) return { ...s, sql: translatedSql };
    const translation = translationOf(t);
    if (translation?.what === 'table') {
      const final = renames.slice(i + 1).find((r) => same(r?.from, translation.table))?.to;
      if (final) translation.final = final;
    }
    if (translation) return { ...s, translation };
    const drop = dropped[i];
    if (drop && renames.slice(i + 1).some((r) => same(r?.to, drop)))
      return { ...s, sql, translation: { what: 'drop', table: drop, name: drop, ifNotExists: false } };
    const rename = renames[i];
    if (rename && dropped.slice(0, i).some((d) => same(d, rename.to)))
      return { ...s, sql, translation: { what: 'rename', table: rename.to, name: rename.from, ifNotExists: false } };
    return sql === s.sql ? s : { ...s, sql };
  });
}

/**
 * A Postgres primary's definitions for a SQLite or D1 secondary (the rollback window after a
 * switch): a `CREATE TABLE`, `CREATE INDEX` or `ADD COLUMN` in Postgres's words (`GENERATED …
 * AS IDENTITY`, `DEFAULT now()`, `jsonb`), which SQLite refuses or reads otherwise, is marked
 * to be made from what the primary then holds, as `translateSchema` makes a SQLite table; a
 * Postgres trigger is not made there. Other statements go as they are.
 */
function markedForSqlite(statements: SideStatement[], to: 'sqlite' | 'd1'): SideStatement[] {
  const created = new Set<string>();
  return statements.map((s) => {
    if (s.idle || s.params?.length) return s;
    const tokens = tokenize(s.sql);
    // A type or domain is Postgres's alone: SQLite keeps the values of its columns as their base type.
    const type = word(tokens[0], 'CREATE', 'ALTER', 'DROP') && word(tokens[1], 'TYPE', 'DOMAIN');
    const rebuilt = type ? undefined : rebuiltTable(tokens);
    const translation: Translation | undefined = type
      ? { what: 'type', table: '', name: '', ifNotExists: false }
      : rebuilt
        ? { what: 'rebuild', table: rebuilt, name: rebuilt, ifNotExists: false }
        : translationOf(tokens);
    if (!translation) return s;
    const table = translation.table.toLowerCase();
    if (translation.what === 'table') created.add(table);
    const covered = translation.what === 'column' && created.has(table);
    return { ...s, translation: { ...translation, to, ...(covered ? { covered } : {}) } };
  });
}

/**
 * The table of an `ALTER TABLE` whose every action SQLite has no `ALTER` for (`ALTER COLUMN`
 * in any form, `ADD` or `DROP CONSTRAINT`): SQLite changes such a table by making it again.
 */
function rebuiltTable(tokens: readonly Token[]): string | undefined {
  if (!word(tokens[0], 'ALTER') || !word(tokens[1], 'TABLE')) return undefined;
  let at = 2;
  if (word(tokens[at], 'IF') && word(tokens[at + 1], 'EXISTS')) at += 2;
  if (word(tokens[at], 'ONLY')) at++;
  const table = nameAt(tokens, at);
  if (!table) return undefined;
  const actions: Token[][] = [[]];
  for (const t of tokens.slice(table.next)) {
    if (t.depth === 0 && t.text === ',') actions.push([]);
    else actions.at(-1)!.push(t);
  }
  const remade = (a: Token[]) =>
    (word(a[0], 'ALTER') && !word(a[1], 'CONSTRAINT')) ||
    (word(a[0], 'ADD', 'DROP') && word(a[1], 'CONSTRAINT', 'PRIMARY', 'UNIQUE', 'CHECK', 'FOREIGN'));
  return actions.every(remade) ? table.name : undefined;
}

/** `ALTER TABLE a RENAME TO b`: the names. */
export function renameOf(tokens: readonly Token[]): { from: string; to: string } | undefined {
  if (!word(tokens[0], 'ALTER') || !word(tokens[1], 'TABLE')) return undefined;
  const from = nameAt(tokens, 2);
  if (!from || !word(tokens[from.next], 'RENAME') || !word(tokens[from.next + 1], 'TO')) return undefined;
  const to = nameAt(tokens, from.next + 2);
  return to && { from: from.name, to: to.name };
}

/** `DROP TABLE [IF EXISTS] t`: the name. */
function droppedTable(tokens: readonly Token[]): string | undefined {
  if (!word(tokens[0], 'DROP') || !word(tokens[1], 'TABLE')) return undefined;
  const at = word(tokens[2], 'IF') && word(tokens[3], 'EXISTS') ? 4 : 2;
  return nameAt(tokens, at)?.name;
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
  // A trigger's body is SQLite's: the rows it writes on the primary replicate as rows.
  const trigger =
    (word(tokens[0], 'CREATE') && (word(tokens[1], 'TRIGGER') || word(tokens[2], 'TRIGGER'))) ||
    (word(tokens[0], 'DROP') && word(tokens[1], 'TRIGGER'));
  if (trigger) return { what: 'trigger', table: '', name: '', ifNotExists: false };
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
  if (what === 'index') skip('CONCURRENTLY');
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
export function doubleQuoted(sql: string): string {
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
