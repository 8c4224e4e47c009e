import { endOfJsonValue, skipJsonSpace } from './json-exact';
import { exactJsonText } from './json-exact-text';
import { parsePgArray } from './pg-array-literal';

/**
 * The literal a Postgres `json[]` or `jsonb[]` value was read from. pg parses each element,
 * which loses what the array holds as a single document read loses it: a `jsonb` number's
 * scale (`1.50`), a `json` document's key order and spacing, the JSON `null` document (read
 * as `null`, as a NULL element is), and what a string element is (`"s"` is read as `s`, which
 * written back is no JSON at all). Copies and dual write write this literal back instead, so
 * the array arrives as it was held. Not enumerable: apps do not see it.
 */
const ARRAY_LITERAL: unique symbol = Symbol.for('switchyard.arrayLiteral');

interface KeptLiteral {
  literal: string;
  parse: (element: string) => unknown;
  /** The array as `JSON.stringify` writes it as read, worked out at the first look (`''` until then). */
  shape: string;
}

/**
 * Keeps `literal` on `list`, the array `parsePgArray(literal, parse)` gave.
 *
 * @example
 * ```ts
 * const list = keepArrayLiteral(parsePgArray(text, JSON.parse), text, JSON.parse);
 * ```
 */
export function keepArrayLiteral<T extends unknown[]>(list: T, literal: string, parse: (element: string) => unknown): T {
  const kept: KeptLiteral = { literal, parse, shape: '' };
  Object.defineProperty(list, ARRAY_LITERAL, { value: kept, enumerable: false });
  return list;
}

/**
 * The literal an array was read from (see {@link keepArrayLiteral}), when it was kept and
 * the array has not been changed since; a changed array is written as it now is.
 *
 * @example
 * ```ts
 * arrayLiteralOf(row.docs) // '{"{\"a\": 1.50}","\"s\""}' as Postgres holds it
 * ```
 */
export function arrayLiteralOf(value: unknown): string | undefined {
  if (!Array.isArray(value)) return undefined;
  const kept = (value as { [ARRAY_LITERAL]?: KeptLiteral })[ARRAY_LITERAL];
  if (!kept) return undefined;
  if (kept.shape === '') kept.shape = JSON.stringify(parsePgArray(kept.literal, kept.parse));
  return kept.shape === JSON.stringify(value) ? kept.literal : undefined;
}

/**
 * The elements of a list bound for a `json[]` or `jsonb[]` column as the JSON text of each
 * (NULL stays NULL): a string is a string document (`"s"`), not the JSON text it may spell,
 * as a copy writes a string document to SQLite; a nested list is a JSON array document.
 *
 * @example
 * ```ts
 * jsonArrayItems(['s', { a: 1 }, null]); // ['"s"', '{"a":1}', null]
 * ```
 */
export function jsonArrayItems(list: readonly unknown[]): (string | null)[] {
  return list.map((item) => (item === null || item === undefined ? null : exactJsonText(item)));
}

/**
 * The elements of JSON array text (SQLite's or D1's for a Postgres array of documents) as
 * each one's own text, as written (`1.50` keeps its scale, an object its key order and
 * spacing), the JSON `null` element as NULL; `undefined` when the text is no JSON array.
 * Parsed and written again, a `jsonb[]` element lost what a single document's text keeps.
 *
 * @example
 * ```ts
 * jsonArrayElementTexts('[{"a": 1.50}, "s", null]'); // ['{"a": 1.50}', '"s"', null]
 * ```
 */
export function jsonArrayElementTexts(text: string): (string | null)[] | undefined {
  try {
    let at = skipJsonSpace(text, 0);
    if (text[at++] !== '[') return undefined;
    const out: (string | null)[] = [];
    at = skipJsonSpace(text, at);
    if (text[at] === ']') return skipJsonSpace(text, at + 1) === text.length ? out : undefined;
    for (;;) {
      const start = skipJsonSpace(text, at);
      at = endOfJsonValue(text, start);
      const element = text.slice(start, at);
      out.push(element === 'null' ? null : element);
      at = skipJsonSpace(text, at);
      const next = text[at++];
      if (next === ']') return skipJsonSpace(text, at) === text.length ? out : undefined;
      if (next !== ',') return undefined;
    }
  } catch {
    return undefined;
  }
}
