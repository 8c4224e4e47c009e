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
/** Types whose conversion from text or from each other reads the session's `TimeZone` or `DateStyle`. */
const SESSION_TYPES = new Set(['TIMESTAMP', 'TIMESTAMPTZ', 'DATE', 'TIME', 'TIMETZ']);
/** Values of the session or the clock, written without parentheses. */
const SESSION_VALUES = new Set([
  'CURRENT_DATE',
  'CURRENT_TIME',
  'CURRENT_TIMESTAMP',
  'LOCALTIME',
  'LOCALTIMESTAMP',
  'CURRENT_USER',
  'SESSION_USER',
  'CURRENT_ROLE',
  'CURRENT_SCHEMA',
  'CURRENT_CATALOG',
]);

/**
 * The table whose existing rows an `ALTER TABLE` fills with values each side works out
 * for itself, so that, replayed as a statement, it would leave the secondary holding
 * other values than the primary. Two kinds of action do:
 * - `ADD COLUMN` with a default that is not a constant (`now()`, `gen_random_uuid()`,
 *   `random()`, `nextval(…)`, `CURRENT_TIMESTAMP`), a serial type, an identity column;
 * - `ALTER COLUMN … TYPE` whose `USING` expression calls a function or reads a value of
 *   the session (`USING gen_random_uuid()`, `USING now()`, `USING current_user`), or
 *   whose new type is a date or time type, which the conversion reads through the
 *   session's `TimeZone` and `DateStyle`, and those may differ between the two servers.
 * The dual-write adapter copies the primary's rows over after it. `undefined` for any
 * other statement: a constant default, or a type change that converts each value alone
 * (`USING n::bigint`, `TYPE text`).
 *
 * @example
 * ```ts
 * generatesOnAlter('ALTER TABLE users ADD COLUMN token uuid DEFAULT gen_random_uuid()'); // 'users'
 * generatesOnAlter('ALTER TABLE users ALTER COLUMN seen TYPE timestamptz'); // 'users'
 * generatesOnAlter("ALTER TABLE users ADD COLUMN plan text NOT NULL DEFAULT 'free'"); // undefined
 * ```
 */
export function generatesOnAlter(sql: string): string | undefined {
  // Replayed writes to keyless tables pass here on every write: only schema changes are read further.
  if (statementKind(sql) !== 'schema') return undefined;
  const tokens = tokenize(sql);
  const word = (i: number) => (tokens[i]?.kind === 'word' ? tokens[i]!.text.toUpperCase() : undefined);
  if (word(0) !== 'ALTER' || word(1) !== 'TABLE') return undefined;
  // Each action runs to the next comma outside parentheses.
  let start = 2;
  for (let i = 2; i <= tokens.length; i++) {
    if (i < tokens.length && !(tokens[i]!.depth === 0 && tokens[i]!.text === ',')) continue;
    const action = tokens.slice(start, i);
    // Its words in capitals, read by both checks.
    const upper = action.map((t) => (t.kind === 'word' ? t.text.toUpperCase() : undefined));
    if (addsGeneratedColumn(action, upper) || convertsBySession(action, upper)) return ddlTable(sql);
    start = i + 1;
  }
  return undefined;
}

/** The tables of `statements` that {@link generatesOnAlter} names, each once. */
export function generatedTables(statements: readonly Statement[]): string[] {
  return [...new Set(statements.flatMap((s) => generatesOnAlter(s.sql) ?? []))];
}

/** Whether one action (`… ADD [COLUMN] [IF NOT EXISTS] name type …`) adds a column of generated values. */
function addsGeneratedColumn(action: Token[], upper: (string | undefined)[]): boolean {
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

/**
 * Whether one action (`ALTER [COLUMN] name [SET DATA] TYPE type [USING expr]`) converts
 * existing values with something other than each value alone: a function call or a
 * session value in `USING`, or a new date or time type.
 */
function convertsBySession(action: Token[], upper: (string | undefined)[]): boolean {
  // The first action also holds the table's name.
  const alter = upper.indexOf('ALTER');
  if (alter < 0) return false;
  // The column's name may itself be a keyword (`type`): the words are read in their places.
  let type = alter + (upper[alter + 1] === 'COLUMN' ? 3 : 2);
  if (upper[type] === 'SET' && upper[type + 1] === 'DATA') type += 2;
  if (upper[type] !== 'TYPE') return false;
  if (SESSION_TYPES.has(upper[type + 1] ?? '')) return true;
  const using = upper.indexOf('USING', type + 2);
  if (using < 0) return false;
  let castTo = false;
  for (let n = using + 1; n < action.length; n++) {
    const token = action[n]!;
    if (token.kind === 'punct' && token.text === ':') castTo = true;
    else if (token.kind === 'word' || token.kind === 'ident') {
      // `::numeric(10, 2)`: a type's modifiers, not a call.
      if (!castTo && action[n + 1]?.text === '(' && upper[n] !== 'CAST') return true;
      if (SESSION_VALUES.has(upper[n] ?? '')) return true;
    } else castTo = false;
  }
  return false;
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
