/**
 * The JSON text a parsed document came from, kept on objects and arrays whose numbers a
 * double cannot hold exactly (more than 15 significant digits, or an exponent past a
 * double's range). Copies write this text back and validation compares it, so
 * `9007199254740993` is never turned into `...992`. Not enumerable: apps do not see it.
 *
 * @example
 * ```ts
 * const doc = parseJsonKeepingSource('{"id":9007199254740993}');
 * jsonSourceOf(doc) // '{"id":9007199254740993}'
 * ```
 */
export const JSON_SOURCE: unique symbol = Symbol.for('switchyard.jsonSource');

/**
 * On a document whose source was kept: the document as `JSON.stringify` writes it as parsed
 * from that source, to tell whether the app changed it since. Worked out at the first
 * {@link jsonSourceOf} (`''` until then), from the source, so reading costs nothing more.
 */
const JSON_SHAPE: unique symbol = Symbol.for('switchyard.jsonShape');

/**
 * Keeps `text` as the source of `doc`, the object or array `JSON.parse(text)` gave: an app
 * that reads a document, changes it and writes it back then writes its change, not the text
 * it read (see {@link jsonSourceOf}).
 *
 * @example
 * ```ts
 * const doc = keepJsonSource(JSON.parse(text), text);
 * ```
 */
export function keepJsonSource<T extends object>(doc: T, text: string): T {
  Object.defineProperty(doc, JSON_SOURCE, { value: text, enumerable: false });
  Object.defineProperty(doc, JSON_SHAPE, { value: '', enumerable: false, writable: true });
  return doc;
}

/**
 * The exact JSON text behind a parsed document, when it was kept and the document has not
 * been changed since (a changed document is written as it now is, its numbers as doubles).
 *
 * @example
 * ```ts
 * jsonSourceOf({ a: 1 }) // undefined
 * const doc = parseJsonKeepingSource('{"id":9007199254740993,"n":1}');
 * jsonSourceOf(doc)      // '{"id":9007199254740993,"n":1}'
 * doc.n = 2;
 * jsonSourceOf(doc)      // undefined
 * ```
 */
export function jsonSourceOf(value: unknown): string | undefined {
  if (value === null || typeof value !== 'object') return undefined;
  const kept = value as { [JSON_SOURCE]?: unknown; [JSON_SHAPE]?: string };
  const source = kept[JSON_SOURCE];
  if (typeof source !== 'string') return undefined;
  // A JsonNumber, or a value made to stand for its text: nothing to change.
  if (!(JSON_SHAPE in kept)) return source;
  // Parsing the source again gives the document as it was read, its numbers rounded alike.
  if (kept[JSON_SHAPE] === '') kept[JSON_SHAPE] = JSON.stringify(JSON.parse(source));
  return kept[JSON_SHAPE] === JSON.stringify(value) ? source : undefined;
}

/**
 * A value that binds as the JSON text `text` exactly, where no JavaScript value would: a
 * bare document in its own form (`1.50`, `"a string"`), or the document `null` rather than
 * SQL NULL. `JSON.stringify` writes the document it holds.
 *
 * @example
 * ```ts
 * await adapter.execute('INSERT INTO docs (id, body) VALUES (?, ?)', [1, asJsonText('1.50')]);
 * ```
 */
export function asJsonText(text: string): object {
  return Object.freeze(
    Object.defineProperties(
      {},
      {
        [JSON_SOURCE]: { value: text, enumerable: false },
        toJSON: { value: () => JSON.parse(text) as unknown, enumerable: false },
      },
    ),
  );
}

/**
 * The JSON document `null`, as opposed to SQL NULL: bound as a parameter it writes the JSON
 * text `null` (a json/jsonb value `IS NOT NULL` holds), where JavaScript's `null` writes SQL
 * NULL. Drivers read both back as `null`; a copy from Postgres writes this for the first.
 *
 * @example
 * ```ts
 * await adapter.execute('INSERT INTO docs (id, body) VALUES (?, ?)', [1, JSON_NULL]);
 * ```
 */
export const JSON_NULL: object = asJsonText('null');
