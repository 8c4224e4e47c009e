import { SqlTokenizer } from '../sql-tokenizer';
import type { ConflictClause } from '../table-info';

// What a SQLite table's CREATE TABLE text says that its PRAGMAs do not.

const CONFLICT_ACTIONS_LIST = ['ROLLBACK', 'ABORT', 'FAIL', 'IGNORE', 'REPLACE'] as const;

/** A foreign key a SQLite `CREATE TABLE` declares deferrable: its columns, the table it references, and how. */
export interface DeferredKey {
  columns: string[];
  table: string;
  deferrable: 'immediate' | 'deferred';
}

/**
 * The deferrable foreign keys of a SQLite table, read from its `CREATE TABLE` text, which
 * `PRAGMA foreign_key_list` does not report: `REFERENCES p (id) DEFERRABLE INITIALLY
 * DEFERRED` on a column, or `FOREIGN KEY (a, b) REFERENCES p … DEFERRABLE` among the
 * constraints. `NOT DEFERRABLE` and plain keys are left out.
 */
export function deferredKeys(sql: string): DeferredKey[] {
  const out: DeferredKey[] = [];
  for (const words of definitions(sql)) {
    const at = words.indexOf('REFERENCES');
    if (at < 0 || at + 1 >= words.length) continue;
    // A table constraint names its columns after FOREIGN KEY; a column definition starts with its name.
    const columns = TABLE_CONSTRAINTS.has(words[0]!) ? listAfter(words, 'KEY') : [words[0]!];
    const rest = words.slice(at + 2);
    const deferrable = rest.findIndex((w, i) => w === 'DEFERRABLE' && rest[i - 1] !== 'NOT');
    if (deferrable < 0 || columns.length === 0) continue;
    const deferred = rest[deferrable + 1] === 'INITIALLY' && rest[deferrable + 2] === 'DEFERRED';
    out.push({ columns, table: words[at + 1]!, deferrable: deferred ? 'deferred' : 'immediate' });
  }
  return out;
}

/**
 * The collating sequence of each column that declares one other than `BINARY` (`NOCASE`,
 * `RTRIM`, or an application's), by column name in lower case, upper-cased: what `=`,
 * `ORDER BY` and the column's unique indexes compare its text by. A `COLLATE` inside a
 * CHECK or a default expression is the expression's, not the column's.
 */
export function columnCollations(sql: string): Map<string, string> {
  const out = new Map<string, string>();
  for (const words of definitions(sql)) {
    if (words.length === 0 || TABLE_CONSTRAINTS.has(words[0]!)) continue;
    let depth = 0;
    for (const [i, word] of words.entries()) {
      depth += word === '(' ? 1 : word === ')' ? -1 : 0;
      if (depth === 0 && word === 'COLLATE' && words[i + 1] && words[i + 1]!.toUpperCase() !== 'BINARY') {
        out.set(words[0]!.toLowerCase(), words[i + 1]!.toUpperCase());
      }
    }
  }
  return out;
}

/**
 * The constraints of a SQLite table that declare how a statement meets their violation
 * (`email TEXT UNIQUE ON CONFLICT REPLACE`, `NOT NULL ON CONFLICT IGNORE`, `PRIMARY KEY (a, b)
 * ON CONFLICT IGNORE`): then a plain `INSERT` or `UPDATE` replaces rows or is skipped, as
 * `INSERT OR REPLACE` or `OR IGNORE` would be. `ON CONFLICT ABORT`, the default, is left out.
 */
export function conflictClauses(sql: string): ConflictClause[] {
  const out: ConflictClause[] = [];
  for (const words of definitions(sql)) {
    const table = TABLE_CONSTRAINTS.has(words[0]!);
    let depth = 0;
    let constraint: ConflictClause['constraint'] | undefined;
    let columns: string[] = [];
    for (const [i, word] of words.entries()) {
      depth += word === '(' ? 1 : word === ')' ? -1 : 0;
      if (depth !== 0) continue;
      if ((word === 'KEY' && words[i - 1] === 'PRIMARY') || word === 'UNIQUE') {
        constraint = word === 'KEY' ? 'primaryKey' : 'unique';
        columns = table ? namesInList(words, i + 1) : [words[0]!];
      } else if (word === 'NULL' && words[i - 1] === 'NOT') {
        [constraint, columns] = ['notNull', [words[0]!]];
      } else if (word === 'CONFLICT' && words[i - 1] === 'ON' && constraint && CONFLICT_ACTIONS.has(words[i + 1]!)) {
        const action = words[i + 1] as ConflictClause['action'];
        if (action !== 'ABORT' && columns.length > 0) out.push({ constraint, columns, action });
      }
    }
  }
  return out;
}

const CONFLICT_ACTIONS = new Set<string>(CONFLICT_ACTIONS_LIST);

/** The column names of the parenthesized list at `open`, without their COLLATE or ASC/DESC. */
function namesInList(words: readonly string[], open: number): string[] {
  if (words[open] !== '(') return [];
  const names: string[] = [];
  let depth = 0;
  for (let i = open; i < words.length; i++) {
    const word = words[i]!;
    if (word === '(' || word === ')') depth += word === '(' ? 1 : -1;
    if (depth === 0) break;
    if (depth === 1 && (words[i - 1] === '(' || words[i - 1] === ',') && word !== ',') names.push(word);
  }
  return names;
}

/** The names in the parenthesized list after `word`. */
function listAfter(words: readonly string[], word: string): string[] {
  const open = words.indexOf(word) + 1;
  if (words[open] !== '(') return [];
  const close = words.indexOf(')', open);
  return words.slice(open + 1, close).filter((w) => w !== ',');
}

/**
 * The column definitions and table constraints of a `CREATE TABLE`, each as its tokens:
 * keywords upper-cased, names unquoted (as written otherwise), punctuation as itself.
 */
function definitions(sql: string): string[][] {
  const tokens = new SqlTokenizer(sql);
  const out: string[][] = [];
  let depth = 0;
  let current: string[] = [];
  while (tokens.next()) {
    const text = tokens.text;
    if (tokens.kind === 'punct' && text === '(' && ++depth === 1) continue;
    if (tokens.kind === 'punct' && text === ')' && --depth === 0) break;
    if (depth === 0) continue;
    if (depth === 1 && tokens.kind === 'punct' && text === ',') {
      out.push(current);
      current = [];
      continue;
    }
    current.push(
      tokens.kind === 'word'
        ? KEYWORDS.has(text.toUpperCase())
          ? text.toUpperCase()
          : text
        : tokens.kind === 'quoted'
          ? unquote(text)
          : text,
    );
  }
  if (current.length > 0) out.push(current);
  return out;
}

const KEYWORDS = new Set([
  'CONSTRAINT',
  'FOREIGN',
  'KEY',
  'REFERENCES',
  'DEFERRABLE',
  'NOT',
  'INITIALLY',
  'DEFERRED',
  'IMMEDIATE',
  'COLLATE',
  'PRIMARY',
  'UNIQUE',
  'CHECK',
  'NULL',
  'ON',
  'CONFLICT',
  ...CONFLICT_ACTIONS_LIST,
]);
/** The words a table constraint starts with, where a column definition starts with its name. */
const TABLE_CONSTRAINTS = new Set(['CONSTRAINT', 'FOREIGN', 'PRIMARY', 'UNIQUE', 'CHECK']);

function unquote(text: string): string {
  const close = text[0] === '[' ? ']' : text[0]!;
  return text.slice(1, -1).replaceAll(close + close, close);
}
