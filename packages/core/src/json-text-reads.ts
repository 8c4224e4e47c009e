import { JSON_NULL, asJsonText, jsonSourceOf } from './json-source';
import { jsonDocumentKind } from './logical-type';
import { quoteIdentifier as quote } from './sql-identifier';
import type { Row, TableInfo } from './types';

/**
 * A `json` or `jsonb` document that is not an object or an array is read by pg as the
 * JavaScript value it parses to, which loses what Postgres holds: the document `null`
 * becomes SQL NULL (Prisma's `JsonNull` and `DbNull`: only the first `IS NOT NULL`), a jsonb
 * `1.50` becomes `1.5`, a json ` false ` loses its spacing. (Objects and arrays keep their
 * text where it matters; see `parseJsonWithText`.) A read that must keep the
 * document (dual write's row images, an export) asks, for each such column, for the text of
 * a bare document under a private name beside the row ({@link jsonTextItems}), and sets the
 * value to that text as {@link asJsonText} (`JSON_NULL` for `null`) with
 * {@link markJsonTexts}: bound on Postgres it writes the document as it was read.
 */

/** The prefix of the text columns, under Switchyard's private `__sy_` names (which dual write keeps from what apps see). */
const TEXT = '__sy_jt_';

interface TextColumn {
  column: string;
  /** `__sy_jt_` and the column's name, so rows can be marked without their table (a key move's). */
  name: string;
  typeOf: string;
}

const utf8 = new TextEncoder();
const byTable = new WeakMap<TableInfo, readonly TextColumn[]>();

function textColumnsOf(table: TableInfo): readonly TextColumn[] {
  let columns = byTable.get(table);
  if (!columns) {
    columns = table.columns
      .filter((c) => jsonDocumentKind(c) !== undefined)
      .map((c) => ({ column: c.name, name: TEXT + c.name, typeOf: `${jsonDocumentKind(c)!}_typeof` }))
      // Postgres cuts a name past 63 bytes: a column named that long keeps the driver's reading.
      .filter((c) => utf8.encode(c.name).length <= 63);
    byTable.set(table, columns);
  }
  return columns;
}

const item = (typeOf: string, value: string, name: string) =>
  `, CASE WHEN ${typeOf}(${value}) NOT IN ('object', 'array') THEN (${value})::text END AS ${quote(name)}`;

/**
 * The select items that give, for each JSON column of a Postgres table, the text of a bare
 * document: `''` for a table without one, else `, CASE WHEN jsonb_typeof(q."c") NOT IN
 * ('object', 'array') THEN (q."c")::text END AS "__sy_jt_c", …` to follow `*` or a column
 * list. `qualifier` is `''` or the table's name or alias with its dot.
 *
 * @example
 * ```ts
 * const rows = await db.query(`SELECT *${jsonTextItems(table, '')} FROM docs`);
 * markJsonTexts(rows, table); // a jsonb 'null' is now JSON_NULL, '1.50' asJsonText('1.50')
 * ```
 */
export function jsonTextItems(table: TableInfo, qualifier: string): string {
  return textColumnsOf(table)
    .map((c) => item(c.typeOf, `${qualifier}${quote(c.column)}`, c.name))
    .join('');
}

/**
 * The one item for a column of declared type `type` whose value `expression` reads as
 * text (a document's text in an outbox entry), or `''` when it is not a JSON column.
 *
 * @example
 * ```ts
 * jsonTextItem('doc', 'jsonb', `"r"->>0`); // `, CASE WHEN json_typeof(...) ... AS "__sy_jt_doc"`
 * ```
 */
export function jsonTextItem(column: string, type: string, expression: string): string {
  const name = TEXT + column;
  if (!jsonDocumentKind({ declaredType: type }) || utf8.encode(name).length > 63) return '';
  return item('json_typeof', `(${expression})::json`, name);
}

/**
 * Rows read with {@link jsonTextItems}: each bare document set to its text (`asJsonText`,
 * `JSON_NULL` for `null`) and the text columns removed, in place. `flagged` holds them when
 * they came apart from the rows (a `RETURNING` list after other columns under other
 * names); by default the rows do. Without `table`, every `__sy_jt_` column is taken.
 *
 * @example
 * ```ts
 * for await (const page of keysetPages(db, 'docs', ['id'], 500, jsonTextItems(table, ''))) sink(markJsonTexts(page, table));
 * ```
 */
export function markJsonTexts(rows: Row[], table?: TableInfo, flagged: readonly Row[] = rows): Row[] {
  const names = table ? textColumnsOf(table).map((c) => c.name) : undefined;
  if (names?.length === 0) return rows;
  for (let i = 0; i < rows.length; i++) {
    const row = rows[i]!;
    const from = flagged[i] ?? {};
    for (const name of names ?? Object.keys(from).filter((k) => k.startsWith(TEXT))) {
      const text = from[name];
      if (typeof text === 'string') row[name.slice(TEXT.length)] = text === 'null' ? JSON_NULL : asJsonText(text);
      delete row[name];
    }
  }
  return rows;
}

/**
 * Whether `value` is a bare document as {@link markJsonTexts} sets it: `JSON_NULL`, or
 * {@link asJsonText} of a text that is not an object or an array.
 *
 * @example
 * ```ts
 * isBareJsonDocument(asJsonText('1.50')) // true
 * isBareJsonDocument(1.5)                // false
 * ```
 */
export function isBareJsonDocument(value: unknown): value is object {
  if (value === JSON_NULL) return true;
  if (typeof value !== 'object' || value === null || !Object.isFrozen(value) || Array.isArray(value)) return false;
  const text = jsonSourceOf(value);
  return text !== undefined && Object.keys(value).length === 0 && !/^\s*[[{]/.test(text);
}
