import { canonicalNumberText, JsonNumber, jsonTextMayRound } from './json-exact';

/**
 * `JSON.parse` that rounds no number: a number a double does not hold exactly
 * (`9007199254740993`, `0.1000000000000000055511`) is read as a {@link JsonNumber} with its
 * text, wherever it is in the document; every other value is what `JSON.parse` gives.
 * Throws a `SyntaxError` on text that is not JSON, as `JSON.parse` does.
 *
 * @example
 * ```ts
 * parseJsonExact('[9007199254740993, 1]') // [JsonNumber { text: '9007199254740993' }, 1]
 * ```
 */
export function parseJsonExact(text: string): unknown {
  const value: unknown = JSON.parse(text);
  if (!jsonTextMayRound(text)) return value;
  const reader = { text, at: 0 };
  return readValue(reader);
}

interface Reader {
  text: string;
  at: number;
}

// The text is JSON (JSON.parse read it): only the tokens need telling apart.
const TOKEN = /\s*(?:([[\]{},:])|("(?:[^"\\]|\\.)*")|(-?\d[\d.eE+-]*)|(true|false|null))/y;

function next(r: Reader): RegExpExecArray {
  TOKEN.lastIndex = r.at;
  const m = TOKEN.exec(r.text)!;
  r.at = TOKEN.lastIndex;
  return m;
}

function readValue(r: Reader, token = next(r)): unknown {
  if (token[2] !== undefined) return JSON.parse(token[2]) as string;
  if (token[3] !== undefined) {
    const n = Number(token[3]);
    return canonicalNumberText(String(n)) === canonicalNumberText(token[3]) ? n : new JsonNumber(token[3]);
  }
  if (token[4] !== undefined) return token[4] === 'null' ? null : token[4] === 'true';
  if (token[1] === '[') {
    const list: unknown[] = [];
    for (let t = next(r); t[1] !== ']'; t = next(r)) list.push(readValue(r, t[1] === ',' ? next(r) : t));
    return list;
  }
  const object: Record<string, unknown> = {};
  for (let t = next(r); t[1] !== '}'; t = next(r)) {
    const key = JSON.parse((t[1] === ',' ? next(r) : t)[2]!) as string;
    next(r); // the colon
    // As JSON.parse does: an own property, `__proto__` included.
    Object.defineProperty(object, key, { value: readValue(r), enumerable: true, writable: true, configurable: true });
  }
  return object;
}
