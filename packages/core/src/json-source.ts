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
 * The exact JSON text behind a parsed document, when it was kept.
 *
 * @example
 * ```ts
 * jsonSourceOf({ a: 1 }) // undefined
 * ```
 */
export function jsonSourceOf(value: unknown): string | undefined {
  if (value === null || typeof value !== 'object') return undefined;
  const source = (value as { [JSON_SOURCE]?: unknown })[JSON_SOURCE];
  return typeof source === 'string' ? source : undefined;
}
