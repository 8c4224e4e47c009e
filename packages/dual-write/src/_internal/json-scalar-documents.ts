import {
  JSON_NULL,
  asJsonText,
  jsonSourceOf,
  parseJsonKeepingSource,
  quoteIdentifier as quote,
  type Row,
  type TableInfo,
} from '@switchyard/core';

/**
 * A `json` or `jsonb` document that is not an object or an array is read by pg as the
 * JavaScript value it parses to, which loses what Postgres holds: the document `null`
 * becomes SQL NULL (Prisma's `JsonNull` and `DbNull`: only the first `IS NOT NULL`), a jsonb
 * `1.50` becomes `1.5`, a json ` false ` loses its spacing. (Objects and arrays keep their
 * text where it matters; see core's `parseJsonWithText`.) A row read from Postgres to be
 * replicated therefore asks, for each such column, for the text of a bare document, under
 * a private name (dropped from what the app sees, as every `__sy_` column is), and the
 * image carries it as core's `asJsonText` (`JSON_NULL` for `null`): bound on a Postgres
 * secondary it writes the document as the primary holds it. SQLite and D1 get the value
 * pg reads, as a copy writes it there (see {@link asDriverReads}).
 */

/** The prefix of the text columns, under dual write's private `__sy_` names. */
const TEXT = '__sy_jt_';

/** A `json` or `jsonb` column itself (not an array of them, nor a domain over one). */
const JSON_DOCUMENT = /^jsonb?$/i;

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
      .filter((c) => JSON_DOCUMENT.test(c.declaredType.trim()))
      .map((c) => ({
        column: c.name,
        name: TEXT + c.name,
        typeOf: c.declaredType.trim().toLowerCase() === 'jsonb' ? 'jsonb_typeof' : 'json_typeof',
      }))
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
 */
export function jsonTextItems(table: TableInfo, qualifier: string): string {
  return textColumnsOf(table)
    .map((c) => item(c.typeOf, `${qualifier}${quote(c.column)}`, c.name))
    .join('');
}

/**
 * The one item for a column of declared type `type` whose value `expression` reads as
 * text (a document's text in an outbox entry), or `''` when it is not a JSON column.
 */
export function jsonTextItem(column: string, type: string, expression: string): string {
  const name = TEXT + column;
  if (!JSON_DOCUMENT.test(type.trim()) || utf8.encode(name).length > 63) return '';
  return item('json_typeof', `(${expression})::json`, name);
}

/**
 * Rows read with {@link jsonTextItems}: each bare document set to its text (`asJsonText`,
 * `JSON_NULL` for `null`) and the text columns removed, in place. `flagged` holds them when
 * they came apart from the rows (a `RETURNING` list after the app's own, see
 * `splitAliased`); by default the rows do. Without `table`, every `__sy_jt_` column is taken.
 */
export function markJsonTexts(rows: Row[], table?: TableInfo, flagged: readonly Row[] = rows): Row[] {
  const columns = table ? textColumnsOf(table) : undefined;
  if (columns?.length === 0) return rows;
  for (let i = 0; i < rows.length; i++) {
    const row = rows[i]!;
    const from = flagged[i] ?? {};
    for (const name of columns ? columns.map((c) => c.name) : Object.keys(from).filter((k) => k.startsWith(TEXT))) {
      const text = from[name];
      if (typeof text === 'string') row[name.slice(TEXT.length)] = text === 'null' ? JSON_NULL : asJsonText(text);
      delete row[name];
    }
  }
  return rows;
}

/** A bare document as {@link markJsonTexts} sets it (`asJsonText` is a frozen empty object). */
function isBareDocument(value: unknown): value is object {
  if (value === JSON_NULL) return true;
  if (typeof value !== 'object' || value === null || !Object.isFrozen(value) || Array.isArray(value)) return false;
  const text = jsonSourceOf(value);
  return text !== undefined && Object.keys(value).length === 0 && !/^\s*[[{]/.test(text);
}

/**
 * A row image's value as it goes to a SQLite or D1 secondary: a bare document as pg reads
 * it (the document `null` as SQL NULL, `1.50` as `1.5`), as a copy from Postgres writes it.
 */
export function asDriverReads(value: unknown): unknown {
  // Parsed as the Postgres adapter parses it (`-0` stays a JsonNumber, say).
  return isBareDocument(value) ? parseJsonKeepingSource(jsonSourceOf(value)!) : value;
}

/**
 * A row image to compare with a SQLite or D1 secondary's row: the document `null` as the SQL
 * NULL written there (see {@link asDriverReads}); every other bare document stays its text,
 * which compares as a document with the text stored there (`"x"`, where pg reads `x`).
 */
export function withSqlNulls(row: Row | null): Row | null {
  if (row === null || !Object.values(row).some(isNullDocument)) return row;
  return Object.fromEntries(Object.entries(row).map(([k, v]) => [k, isNullDocument(v) ? null : v]));
}

function isNullDocument(value: unknown): boolean {
  return isBareDocument(value) && jsonSourceOf(value)!.trim() === 'null';
}

/**
 * The JSON columns two Postgres tables declare alike (`json` and `json`, `jsonb` and
 * `jsonb`), by the primary's name: there the text of a document is its value, as validation
 * compares it; between a `json` and a `jsonb` column only the document is.
 */
export function exactJsonColumns(source: TableInfo, target: TableInfo): ReadonlySet<string> {
  const types = new Map(target.columns.map((c) => [c.name.toLowerCase(), c.declaredType.trim().toLowerCase()]));
  return new Set(
    source.columns
      .filter((c) => JSON_DOCUMENT.test(c.declaredType.trim()) && types.get(c.name.toLowerCase()) === c.declaredType.trim().toLowerCase())
      .map((c) => c.name.toLowerCase()),
  );
}
