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

/** The document as `JSON.stringify` wrote it when its source was kept, to tell whether it changed since. */
const JSON_SHAPE: unique symbol = Symbol.for('switchyard.jsonShape');

/**
 * Keeps `text` as the source of `doc`, the object or array `JSON.parse(text)` gave, with
 * the document's shape at that moment: an app that reads a document, changes it and writes
 * it back must write its change, not the text it read.
 *
 * @example
 * ```ts
 * const doc = keepJsonSource(JSON.parse(text), text);
 * ```
 */
export function keepJsonSource<T extends object>(doc: T, text: string): T {
  Object.defineProperty(doc, JSON_SOURCE, { value: text, enumerable: false });
  Object.defineProperty(doc, JSON_SHAPE, { value: JSON.stringify(doc), enumerable: false });
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
  const kept = value as { [JSON_SOURCE]?: unknown; [JSON_SHAPE]?: unknown };
  const source = kept[JSON_SOURCE];
  if (typeof source !== 'string') return undefined;
  const shape = kept[JSON_SHAPE];
  return shape === undefined || shape === JSON.stringify(value) ? source : undefined;
}
