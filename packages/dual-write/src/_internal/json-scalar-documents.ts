import { isBareJsonDocument, jsonDocumentKind, jsonSourceOf, parseJsonKeepingSource, type Row } from '@switchyard/core';
import { perTablePair } from './table-pair-memo';

/**
 * How dual write treats the bare JSON documents a Postgres primary's rows carry as their
 * text (core's `markJsonTexts`): a Postgres secondary gets the document as the primary holds
 * it; SQLite and D1 get the value pg reads, as a copy writes it there.
 */

/**
 * A row image's value as it goes to a SQLite or D1 secondary: a bare document as pg reads
 * it (the document `null` as SQL NULL, `1.50` as `1.5`), as a copy from Postgres writes it.
 */
export function asDriverReads(value: unknown): unknown {
  // Parsed as the Postgres adapter parses it (`-0` stays a JsonNumber, say).
  return isBareJsonDocument(value) ? parseJsonKeepingSource(jsonSourceOf(value)!) : value;
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
  return isBareJsonDocument(value) && jsonSourceOf(value)!.trim() === 'null';
}

/**
 * The JSON columns two Postgres tables declare alike (`json` and `json`, `jsonb` and
 * `jsonb`, directly or through a domain), by the primary's name: there the text of a
 * document is its value, as validation compares it; between a `json` and a `jsonb`
 * column only the document is.
 */
export const exactJsonColumns = perTablePair((source, target): ReadonlySet<string> => {
  const kinds = new Map(target.columns.map((c) => [c.name.toLowerCase(), jsonDocumentKind(c)]));
  return new Set(
    source.columns
      .filter((c) => jsonDocumentKind(c) !== undefined && kinds.get(c.name.toLowerCase()) === jsonDocumentKind(c))
      .map((c) => c.name.toLowerCase()),
  );
});
