import { jsonSourceOf } from './json-source';
import { exactTimestampText } from './precise-date';

/**
 * A parsed JSON document as text: its kept source text when it has one, else
 * `JSON.stringify` with what JSON.stringify would change written exactly: bigints as
 * numbers with every digit, numbers kept as their source text (a `JsonNumber`, a document
 * read with its source) as that text, and Dates with the microseconds a `PreciseDate`
 * carries.
 *
 * @example
 * ```ts
 * exactJsonText(parseJsonKeepingSource('{"id":9007199254740993}')) // '{"id":9007199254740993}'
 * exactJsonText({ n: 9007199254740993n })                          // '{"n":9007199254740993}'
 * ```
 */
export function exactJsonText(value: unknown): string {
  const source = jsonSourceOf(value);
  if (source !== undefined) return source;
  // JSON.stringify writes no raw text (JSON.rawJSON is Node 22+): such values are written
  // as marked strings first, then the marks are replaced by the text.
  const texts: string[] = [];
  const mark = (text: string) => `${MARK}${texts.push(text) - 1}${MARK}`;
  const json = JSON.stringify(value, function (this: unknown, key: string, v: unknown): unknown {
    if (typeof v === 'bigint') return mark(v.toString());
    // `v` is what a toJSON gave (a Date's milliseconds, a JsonNumber's double): the holder still has the value itself.
    const raw = (this as Record<string, unknown>)[key];
    if (raw instanceof Date) return Number.isNaN(raw.getTime()) ? v : exactTimestampText(raw);
    const kept = jsonSourceOf(raw);
    return kept === undefined ? v : mark(kept);
  });
  return texts.length === 0 ? json : json.replace(MARKED, (_m, i: string) => texts[Number(i)]!);
}

// Control characters no JSON text holds unescaped, with a per-process nonce: a string
// of the document cannot be taken for a mark.
const NONCE = Math.random().toString(36).slice(2, 10);
const MARK = `\u0000${NONCE}\u0000`;
const MARKED = new RegExp(`"\\\\u0000${NONCE}\\\\u0000(\\d+)\\\\u0000${NONCE}\\\\u0000"`, 'g');
