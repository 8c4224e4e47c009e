import type { Mirror } from '../mirror/mirror-types';
import { statementKind, type Statement } from '@switchyard/core';
import { tokenize, type Token } from './sql-tokens';
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
/** Types whose values are made from the old values' text form (`TYPE varchar(320)`). */
const TEXT_TYPES = new Set(['TEXT', 'VARCHAR', 'CHARACTER', 'CHAR', 'BPCHAR', 'CITEXT', 'NAME']);
/**
 * Declared types (as PostgreSQL's `format_type` prints them) whose text form no session
 * setting changes. The others' does: dates and times (`DateStyle`, `TimeZone`), `interval`
 * (`IntervalStyle`), floating point (`extra_float_digits`), `bytea` (`bytea_output`), `money`
 * (`lc_monetary`); an enum or domain is not known here, so it counts among them.
 */
const FIXED_TEXT =
  /^(text|character varying|character|"char"|name|citext|smallint|integer|bigint|numeric|boolean|uuid|jsonb?|inet|cidr|macaddr8?|bit|bit varying|oid)(\(.*\))?(\[\])*$/i;
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
 *   session's `TimeZone` and `DateStyle`, and those may differ between the two servers;
 * - `ALTER COLUMN … TYPE` to a text type (`text`, `varchar(n)`, …) from a column whose
 *   text form reads the session (a time, a float, `bytea`, …; see {@link fixedTextType}),
 *   unless `textIsFixed(sql)` says the primary's old types were read and none was such.
 * The dual-write adapter copies the primary's rows over after it. `undefined` for any
 * other statement: a constant default, or a type change that converts each value alone
 * (`USING n::bigint`, `TYPE text` from an integer).
 *
 * @example
 * ```ts
 * generatesOnAlter('ALTER TABLE users ADD COLUMN token uuid DEFAULT gen_random_uuid()'); // 'users'
 * generatesOnAlter('ALTER TABLE users ALTER COLUMN seen TYPE timestamptz'); // 'users'
 * generatesOnAlter("ALTER TABLE users ADD COLUMN plan text NOT NULL DEFAULT 'free'"); // undefined
 * ```
 */
export function generatesOnAlter(sql: string, textIsFixed?: (sql: string) => boolean): string | undefined {
  for (const { action, upper } of alterActions(sql)) {
    if (addsGeneratedColumn(action, upper)) return ddlTable(sql);
    const converts = convertsBySession(action, upper);
    if (converts === true || (converts && !textIsFixed?.(sql))) return ddlTable(sql);
  }
  return undefined;
}

/**
 * The actions of an `ALTER TABLE`, each running to the next comma outside parentheses,
 * with their words in capitals (read by every check); none for any other statement.
 */
function alterActions(sql: string): { action: Token[]; upper: (string | undefined)[] }[] {
  // Replayed writes to keyless tables pass here on every write: only schema changes are read further.
  if (statementKind(sql) !== 'schema') return [];
  const tokens = tokenize(sql);
  const word = (i: number) => (tokens[i]?.kind === 'word' ? tokens[i]!.text.toUpperCase() : undefined);
  if (word(0) !== 'ALTER' || word(1) !== 'TABLE') return [];
  const actions: { action: Token[]; upper: (string | undefined)[] }[] = [];
  let start = 2;
  for (let i = 2; i <= tokens.length; i++) {
    if (i < tokens.length && !(tokens[i]!.depth === 0 && tokens[i]!.text === ',')) continue;
    const action = tokens.slice(start, i);
    actions.push({ action, upper: action.map((t) => (t.kind === 'word' ? t.text.toUpperCase() : undefined)) });
    start = i + 1;
  }
  return actions;
}

/** The tables of `statements` that {@link generatesOnAlter} names, each once. */
export function generatedTables(statements: readonly Statement[], textIsFixed?: (sql: string) => boolean): string[] {
  return [...new Set(statements.flatMap((s) => generatesOnAlter(s.sql, textIsFixed) ?? []))];
}

/**
 * The columns whose values an `ALTER TABLE` turns into text, by table: the column changed
 * to a text type, or the columns its `USING` names. Their old types, read before it runs,
 * decide whether {@link generatesOnAlter} names the table.
 *
 * @example
 * ```ts
 * textConversions('ALTER TABLE users ALTER COLUMN seen TYPE text'); // { table: 'users', columns: ['seen'] }
 * ```
 */
export function textConversions(sql: string): { table: string; columns: string[] } | undefined {
  const columns: string[] = [];
  for (const { action, upper } of alterActions(sql)) {
    const converts = convertsBySession(action, upper);
    if (converts && converts !== true) columns.push(...converts.columns);
  }
  const table = ddlTable(sql);
  return table && columns.length > 0 ? { table, columns } : undefined;
}

/**
 * Whether a column of this declared type (PostgreSQL's `format_type`) has a text form no
 * session setting changes, so that changing it to text gives both sides the same values.
 *
 * @example
 * ```ts
 * fixedTextType('character varying(255)'); // true
 * fixedTextType('timestamp with time zone'); // false
 * ```
 */
export function fixedTextType(declaredType: string): boolean {
  return FIXED_TEXT.test(declaredType.trim());
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
 * existing values with something other than each value alone: `true` for a function call
 * or a session value in `USING`, or a new date or time type; for a new text type, the
 * columns whose text form it takes (their old types decide).
 */
function convertsBySession(action: Token[], upper: (string | undefined)[]): boolean | { columns: string[] } {
  // The first action also holds the table's name.
  const alter = upper.indexOf('ALTER');
  if (alter < 0) return false;
  // The column's name may itself be a keyword (`type`): the words are read in their places.
  const name = alter + (upper[alter + 1] === 'COLUMN' ? 2 : 1);
  let type = name + 1;
  if (upper[type] === 'SET' && upper[type + 1] === 'DATA') type += 2;
  if (upper[type] !== 'TYPE') return false;
  if (SESSION_TYPES.has(upper[type + 1] ?? '')) return true;
  const toText = TEXT_TYPES.has(upper[type + 1] ?? '');
  const using = upper.indexOf('USING', type + 2);
  if (using < 0) return toText && { columns: [columnName(action[name])] };
  const named: string[] = [];
  let castTo = false;
  for (let n = using + 1; n < action.length; n++) {
    const token = action[n]!;
    if (token.kind === 'punct' && token.text === ':') castTo = true;
    else if (token.kind === 'word' || token.kind === 'ident') {
      // `::numeric(10, 2)`: a type's modifiers, not a call.
      if (!castTo && action[n + 1]?.text === '(' && upper[n] !== 'CAST') return true;
      if (SESSION_VALUES.has(upper[n] ?? '')) return true;
      if (!castTo) named.push(columnName(token));
    } else castTo = false;
  }
  // Words that name no column (`CASE`, `NULL`) are passed over where the types are read.
  return toText && named.length > 0 && { columns: named };
}

/** A column as the catalog names it: an unquoted name folded to lower case, as PostgreSQL does. */
const columnName = (token: Token | undefined) => (token?.kind === 'word' ? token.text.toLowerCase() : (token?.text ?? ''));

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

/**
 * Why a schema change is replayed as a statement. One that fills existing rows with values
 * each side works out for itself says what follows it: the primary's rows copied over,
 * or, through a queue, which cannot read the primary, the repair the table needs.
 */
export function schemaReason(sql: string, mirror: Mirror | undefined, textIsFixed: (sql: string) => boolean): string {
  const table = generatesOnAlter(sql, textIsFixed);
  if (!table) return 'a schema change';
  const fills = `a schema change that fills the rows of ${table} with values each side works out for itself`;
  return mirror?.kind === 'queue'
    ? `${fills}; a queue does not carry the primary's values: run repair on ${table} once the change has reached the secondary`
    : `${fills}; the primary's rows are copied over after it`;
}
