import { statementKind, type Statement } from '@switchyard/core';
import { tokenize, type Token } from '../row-ref';
import { ddlTable } from './column-types';

const SERIALS = new Set(['SERIAL', 'BIGSERIAL', 'SMALLSERIAL', 'SERIAL2', 'SERIAL4', 'SERIAL8']);
/** After `ADD`, words that begin a table constraint rather than a column. */
const NOT_COLUMN = new Set(['CONSTRAINT', 'PRIMARY', 'UNIQUE', 'CHECK', 'FOREIGN', 'EXCLUDE']);
/** Words that end a column's DEFAULT expression: the constraints that may follow it. */
const AFTER_DEFAULT = new Set(['NOT', 'CHECK', 'REFERENCES', 'UNIQUE', 'PRIMARY', 'CONSTRAINT', 'COLLATE', 'GENERATED', 'DEFERRABLE']);
const CONSTANTS = new Set(['TRUE', 'FALSE', 'NULL']);
const PUNCTUATION = new Set(['(', ')', '-', '+', '[', ']', '.']);

/**
 * The table whose existing rows an `ALTER TABLE … ADD COLUMN` fills with values each side
 * generates for itself: a default that is not a constant (`now()`, `gen_random_uuid()`,
 * `random()`, `nextval(…)`, `CURRENT_TIMESTAMP`), a serial type, an identity column. Replayed
 * as a statement, it leaves the secondary holding other values than the primary in every
 * row; the dual-write adapter copies the primary's rows over after it. `undefined` for
 * any other statement, a constant default among them.
 *
 * @example
 * ```ts
 * generatesOnAdd('ALTER TABLE users ADD COLUMN token uuid DEFAULT gen_random_uuid()'); // 'users'
 * generatesOnAdd("ALTER TABLE users ADD COLUMN plan text NOT NULL DEFAULT 'free'"); // undefined
 * ```
 */
export function generatesOnAdd(sql: string): string | undefined {
  // Replayed writes to keyless tables pass here on every write: only schema changes are read further.
  if (statementKind(sql) !== 'schema') return undefined;
  const tokens = tokenize(sql);
  const word = (i: number) => (tokens[i]?.kind === 'word' ? tokens[i]!.text.toUpperCase() : undefined);
  if (word(0) !== 'ALTER' || word(1) !== 'TABLE') return undefined;
  // Each action runs to the next comma outside parentheses.
  let start = 2;
  for (let i = 2; i <= tokens.length; i++) {
    if (i < tokens.length && !(tokens[i]!.depth === 0 && tokens[i]!.text === ',')) continue;
    if (addsGeneratedColumn(tokens.slice(start, i))) return ddlTable(sql);
    start = i + 1;
  }
  return undefined;
}

/** The tables of `statements` that {@link generatesOnAdd} names, each once. */
export function generatedTables(statements: readonly Statement[]): string[] {
  return [...new Set(statements.flatMap((s) => generatesOnAdd(s.sql) ?? []))];
}

/** Whether one action (`… ADD [COLUMN] [IF NOT EXISTS] name type …`) adds a column of generated values. */
function addsGeneratedColumn(action: Token[]): boolean {
  const upper = action.map((t) => (t.kind === 'word' ? t.text.toUpperCase() : undefined));
  let i = upper.indexOf('ADD');
  if (i < 0 || NOT_COLUMN.has(upper[i + 1] ?? '')) return false;
  i++;
  if (upper[i] === 'COLUMN') i++;
  if (upper[i] === 'IF' && upper[i + 1] === 'NOT' && upper[i + 2] === 'EXISTS') i += 3;
  // The column's name, then its type.
  if (SERIALS.has(upper[i + 1] ?? '') || upper.includes('IDENTITY')) return true;
  const at = upper.indexOf('DEFAULT', i + 1);
  return at >= 0 && !constantExpression(action.slice(at + 1), upper.slice(at + 1));
}

/** Whether a DEFAULT expression is a constant: literals, signs, parentheses and casts to a type, up to the next constraint. */
function constantExpression(tokens: Token[], upper: (string | undefined)[]): boolean {
  // Within the type name after `::`, whose words are no function calls.
  let castTo = false;
  for (const [n, token] of tokens.entries()) {
    const word = upper[n];
    if (word !== undefined && AFTER_DEFAULT.has(word)) return true;
    if (token.kind === 'punct' && token.text === ':') {
      castTo = true;
      continue;
    }
    if (castTo && (token.kind === 'word' || token.kind === 'ident')) continue;
    castTo = false;
    if (token.kind === 'string' || token.kind === 'number' || (token.kind === 'punct' && PUNCTUATION.has(token.text))) continue;
    if (word === undefined || !CONSTANTS.has(word)) return false;
  }
  return true;
}
