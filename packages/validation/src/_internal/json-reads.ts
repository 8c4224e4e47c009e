/** How each side of a validation or a repair reads its JSON columns, and why: pg would hand back parsed documents. */

import { jsonArrayKind, jsonDocumentKind, type ColumnInfo } from '@switchyard/core';
import { exactTextOf, type EnginePair, type TablePlan } from './table-plan';

/**
 * How a Postgres side reads a JSON column (see {@link jsonReads}): `text` as its text;
 * `document` as its text without the white space around it; `written` so too, but the JSON
 * `null` document as SQL NULL, which is how a copy or dual write puts it on SQLite or D1.
 */
export type JsonRead = 'text' | 'document' | 'written';

/** The JSON columns a Postgres side reads as text, and how. */
export type JsonReads = ReadonlyMap<string, JsonRead>;

/**
 * How `repair` reads each side's JSON columns, by column name: between two Postgres databases
 * those of one kind on both as their text, which it writes as it is (key order, duplicate
 * keys and spacing kept); between Postgres and SQLite or D1, where both columns are JSON, a
 * Postgres source's as `written` (see {@link JsonRead}), which is the JSON text SQLite holds,
 * so a string document is written as the JSON string and reads back as itself. The rows
 * written are then read again on both sides as validation reads them (`verify`).
 */
export function repairJsonReads(
  pair: EnginePair,
  pairs: readonly { from: ColumnInfo; to: ColumnInfo }[],
): { write: JsonReads; verify: { source: JsonReads; target: JsonReads } } {
  if (pair.bothPostgres) {
    const exact = new Map(pairs.filter((p) => exactTextOf(p.from, p.to) === 'json').map((p) => [p.from.name, 'text' as const]));
    return { write: exact, verify: { source: exact, target: exact } };
  }
  // JSON on both sides, or a blob whose bytes spell a document against JSON (ComparedColumn.blobTextSide).
  const documentish = (c: ColumnInfo) => c.logicalType === 'json' || c.logicalType === 'blob';
  const json = pairs.filter(
    (p) => documentish(p.from) && documentish(p.to) && (p.from.logicalType === 'json' || p.to.logicalType === 'json'),
  );
  const documents = (side: 'from' | 'to', read: JsonRead): JsonReads =>
    pair.postgresSide !== (side === 'from' ? 'source' : 'target')
      ? new Map()
      : new Map(json.filter((p) => jsonDocumentKind(p[side]) !== undefined).map((p) => [p.from.name, read]));
  return { write: documents('from', 'written'), verify: { source: documents('from', 'document'), target: documents('to', 'document') } };
}

/**
 * The JSON columns a Postgres side of a validation is asked for as text. pg would hand back
 * the parsed document, which loses a `json` document's key order, repeated keys and
 * spacing, a `jsonb` number's scale, the JSON `null` document (read as SQL NULL), and what
 * a bare string document is (read as the string, which then compares as JSON text: `"s"`
 * became `s`, not a document). Against another Postgres database the text is what the
 * exact comparison compares (see {@link ComparedColumn.exactText}). Against SQLite or D1
 * it is compared as a document where that side's column is JSON too, the `null` document
 * kept: it equals SQLite's `'null'` and, as a copy and dual write put it there, SQL NULL (see
 * `compareRow`); against a TEXT column, where a copy writes a string document as its string,
 * as pg reads it.
 */
export function jsonReads(
  plan: Pick<TablePlan, 'columns' | 'source' | 'target'>,
  side: 'source' | 'target',
  dialect: string,
  otherDialect: string,
): JsonReads | undefined {
  const table = plan[side];
  if (dialect !== 'postgres' || !table) return undefined;
  const read: JsonRead = otherDialect === 'postgres' ? 'text' : 'document';
  // Against SQLite or D1 only where that side's column is JSON too (see ComparedColumn.plainTextSide).
  // or a blob whose bytes spell a document (see ComparedColumn.blobTextSide).
  const compared = new Set(plan.columns.filter((c) => read === 'text' || c.plainTextSide || c.blobTextSide).map((c) => c.name));
  // An array of documents is read as its literal where it is compared as text (one kind on both).
  const literals = new Set(plan.columns.filter((c) => read === 'text' && c.exactText === 'json').map((c) => c.name));
  const asText = (c: ColumnInfo) => jsonDocumentKind(c) !== undefined || (literals.has(c.name) && jsonArrayKind(c) !== undefined);
  return new Map(table.columns.filter((c) => compared.has(c.name) && asText(c)).map((c) => [c.name, read]));
}
