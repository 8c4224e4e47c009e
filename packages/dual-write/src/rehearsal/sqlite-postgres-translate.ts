import { quoteIdentifier, type TableInfo } from '@switchyard/core';
import { writeTable } from '../_internal/column-types';

/** One entry of the translation table: a SQLite-only form and what Postgres gets instead. */
export interface TranslationRule {
  /** A stable id, e.g. `'insert-or-ignore'`. */
  id: string;
  /** The SQLite form. */
  sqlite: string;
  /** What Postgres gets instead. */
  postgres: string;
}

/** A SQLite-only form found in a statement that the table has no translation for. */
export interface UntranslatedForm {
  id: string;
  /** What was found, and what to do about it. */
  message: string;
}

/** What {@link translateSqliteToPostgres} made of one statement. */
export interface Translation {
  /** The statement for Postgres: the original with every rule in `applied` carried out. */
  sql: string;
  /** Ids of the rules that changed the text, in table order. */
  applied: string[];
  /** SQLite-only forms found and left as they are. */
  untranslated: UntranslatedForm[];
}

/**
 * The documented translation table, SQLite (and D1) to Postgres. Nothing outside it is
 * ever rewritten: other SQLite-only forms are reported as untranslated.
 *
 * @example
 * ```ts
 * SQLITE_TO_POSTGRES.map((r) => r.id); // ['insert-or-ignore', 'insert-or-replace', ...]
 * ```
 */
export const SQLITE_TO_POSTGRES: readonly TranslationRule[] = [
  { id: 'insert-or-ignore', sqlite: 'INSERT OR IGNORE INTO t …', postgres: 'INSERT INTO t … ON CONFLICT DO NOTHING' },
  {
    id: 'insert-or-replace',
    sqlite: 'INSERT OR REPLACE INTO t (cols) … / REPLACE INTO t (cols) …',
    postgres: 'INSERT INTO t (cols) … ON CONFLICT (primary key) DO UPDATE SET col = EXCLUDED.col, …',
  },
  { id: 'datetime-now', sqlite: "datetime('now')", postgres: "to_char(now() AT TIME ZONE 'UTC', 'YYYY-MM-DD HH24:MI:SS')" },
  { id: 'ifnull', sqlite: 'IFNULL(a, b)', postgres: 'COALESCE(a, b)' },
  { id: 'numbered-placeholders', sqlite: '?NNN', postgres: '$NNN (done by the Postgres adapter itself)' },
  {
    id: 'boolean-literals',
    sqlite: 'flag = 1, SET flag = 0, VALUES (…, 1) into a boolean column',
    postgres: 'flag = true, SET flag = false, VALUES (…, true)',
  },
  { id: 'limit-minus-one', sqlite: 'LIMIT -1', postgres: 'LIMIT ALL' },
];

// Forms found but never rewritten: each one's meaning differs in ways a table cannot settle.
const UNTRANSLATED: ReadonlyArray<{ id: string; pattern: RegExp; message: string }> = [
  {
    id: 'strftime',
    pattern: /\bstrftime\s*\(/i,
    message: 'strftime() has no Postgres equivalent of the same name: use to_char() on the Postgres side, or compute the value in the app.',
  },
  {
    id: 'datetime-modifier',
    pattern: /\b(?:datetime|date|time|julianday)\s*\((?!\s*'now'\s*\))/i,
    message:
      "SQLite date functions other than datetime('now') are not translated: compute the value in the app, or write each engine's form.",
  },
  {
    id: 'insert-or-other',
    pattern: /\binsert\s+or\s+(?:abort|fail|rollback)\b/i,
    message: 'INSERT OR ABORT/FAIL/ROLLBACK has no Postgres form: use a plain INSERT.',
  },
  {
    id: 'group-concat',
    pattern: /\bgroup_concat\s*\(/i,
    message: 'group_concat() is string_agg() on Postgres, with the separator required.',
  },
  {
    id: 'last-insert-rowid',
    pattern: /\blast_insert_rowid\s*\(/i,
    message: 'last_insert_rowid() does not exist on Postgres: use RETURNING.',
  },
  { id: 'glob', pattern: /\bglob\b/i, message: "GLOB is SQLite's: use LIKE or a regular expression (~) on Postgres." },
  { id: 'pragma', pattern: /^\s*pragma\b/i, message: 'PRAGMA is SQLite-only.' },
  {
    id: 'backtick-identifier',
    pattern: /`[^`]*`/,
    message: 'Backtick-quoted identifiers are SQLite/MySQL syntax: use double quotes, which every engine accepts.',
  },
];

const BOOLEAN_VALUE = String.raw`(=|<>|!=)\s*([01])(?![\w.])`;

/**
 * Rewrites the SQLite-only forms of the {@link SQLITE_TO_POSTGRES} table for Postgres,
 * and reports the other SQLite-only forms it finds without touching them. `tables`
 * (the target's `introspect()`) supplies primary keys for `INSERT OR REPLACE` and the
 * boolean columns that 0/1 literals are compared with or written to.
 *
 * @example
 * ```ts
 * translateSqliteToPostgres("INSERT OR IGNORE INTO tags (name) VALUES (?)", tables).sql;
 * // 'INSERT INTO tags (name) VALUES (?) ON CONFLICT DO NOTHING'
 * ```
 */
export function translateSqliteToPostgres(sql: string, tables: readonly TableInfo[]): Translation {
  const applied: string[] = [];
  const untranslated: UntranslatedForm[] = [];
  let text = sql.trim().replace(/;\s*$/, '');
  const apply = (id: string, next: string) => {
    if (next !== text) {
      applied.push(id);
      text = next;
    }
  };

  if (/^\s*insert\s+or\s+ignore\s+into\b/i.test(text)) {
    apply('insert-or-ignore', text.replace(/^\s*insert\s+or\s+ignore\s+into\b/i, 'INSERT INTO') + ' ON CONFLICT DO NOTHING');
  }
  const replace = /^\s*(?:insert\s+or\s+replace|replace)\s+into\s+/i.exec(text);
  if (replace) {
    const table = tableOf(writeTable(text), tables);
    const columns = /^[^(]*\(([^)]*)\)\s*(?:values|select)\b/i.exec(text.slice(replace[0].length))?.[1];
    if (table && table.primaryKey.length > 0 && columns) {
      const names = columns.split(',').map((c) => c.trim().replace(/^["`[]|["`\]]$/g, ''));
      const keys = new Set(table.primaryKey.map((k) => k.toLowerCase()));
      const sets = names.filter((c) => !keys.has(c.toLowerCase())).map((c) => `${quoteIdentifier(c)} = EXCLUDED.${quoteIdentifier(c)}`);
      const target = table.primaryKey.map(quoteIdentifier).join(', ');
      const tail = sets.length > 0 ? `DO UPDATE SET ${sets.join(', ')}` : 'DO NOTHING';
      apply('insert-or-replace', `INSERT INTO ${text.slice(replace[0].length)} ON CONFLICT (${target}) ${tail}`);
    } else {
      untranslated.push({
        id: 'insert-or-replace',
        message: 'INSERT OR REPLACE is translated only with a column list into a table with a primary key on the target.',
      });
    }
  }
  apply('datetime-now', text.replace(/\bdatetime\s*\(\s*'now'\s*\)/gi, "to_char(now() AT TIME ZONE 'UTC', 'YYYY-MM-DD HH24:MI:SS')"));
  apply('ifnull', text.replace(/\bifnull\s*\(/gi, 'COALESCE('));
  if (/\?\d/.test(text)) applied.push('numbered-placeholders');
  apply('boolean-literals', booleanLiterals(text, tables));
  apply('limit-minus-one', text.replace(/\blimit\s+-1\b/gi, 'LIMIT ALL'));

  for (const form of UNTRANSLATED) {
    if (form.pattern.test(text)) untranslated.push({ id: form.id, message: form.message });
  }
  return { sql: text, applied, untranslated };
}

function tableOf(name: string | undefined, tables: readonly TableInfo[]): TableInfo | undefined {
  return name ? tables.find((t) => t.name.toLowerCase() === name.toLowerCase()) : undefined;
}

/** 0/1 compared with, set into or inserted into a column that is boolean on the target. */
function booleanLiterals(sql: string, tables: readonly TableInfo[]): string {
  // Only the tables the statement names: a column called `active` may be boolean in one table and not another.
  const named = tables.filter((t) => new RegExp(String.raw`(^|[^\w$])"?${t.name.replace(/[^\w$]/g, '')}"?($|[^\w$])`, 'i').test(sql));
  const booleans = new Set<string>();
  for (const t of named) for (const c of t.columns) if (c.logicalType === 'boolean') booleans.add(c.name.toLowerCase());
  if (booleans.size === 0) return sql;
  const asBool = (digit: string) => (digit === '1' ? 'true' : 'false');
  let out = sql.replace(
    new RegExp(String.raw`("?)([A-Za-z_][\w$]*)\1\s*` + BOOLEAN_VALUE, 'g'),
    (all, q: string, name: string, op: string, digit: string) =>
      booleans.has(name.toLowerCase()) ? `${q}${name}${q} ${op} ${asBool(digit)}` : all,
  );
  // INSERT INTO t (a, flag) VALUES (…, 1): one tuple of simple values, matched by position.
  const insert = /^(\s*insert\s+into\s+[^(]+\(([^)]*)\)\s*values\s*\()([^()]*)(\)[\s\S]*)$/i.exec(out);
  const table = insert ? tableOf(writeTable(out), tables) : undefined;
  if (insert && table) {
    const columns = insert[2]!.split(',').map((c) => c.trim().replace(/^"|"$/g, '').toLowerCase());
    const values = insert[3]!.split(',');
    if (columns.length === values.length) {
      const isBool = (c: string) => table.columns.some((col) => col.name.toLowerCase() === c && col.logicalType === 'boolean');
      const next = values.map((v, i) => (isBool(columns[i]!) && /^\s*[01]\s*$/.test(v) ? v.replace(/[01]/, asBool(v.trim())) : v));
      out = insert[1] + next.join(',') + insert[4];
    }
  }
  return out;
}
