import { JSON_SOURCE, keepJsonSource } from './json-source';

export { JSON_NULL, JSON_SOURCE, asJsonText, jsonSourceOf } from './json-source';
export { exactJsonText } from './json-exact-text';

// A run of 16 digits (with at most the dot between) or a three-digit exponent: a number
// a double may round. Digits inside strings also match; that only costs the exact path.
const MAYBE_LOSSY = /\d[\d.]{15}|[eE][+-]?\d{3}/;

// Those, or a number whose text JavaScript would write otherwise: a scale (`1.50`, `1.0`,
// which jsonb keeps) or a small decimal (`0.0000001`, which JavaScript writes `1e-7`).
// Strings that match (`"v1.0"`) only cost keeping the text.
const TEXT_NOT_REWRITTEN = /\d[\d.]{15}|[eE][+-]?\d{3}|\.\d*0(?!\d)|0\.0{6}/;

/**
 * True when `JSON.parse(text)` may have rounded a number of the document.
 *
 * @example
 * ```ts
 * jsonTextMayRound('{"a":1.5}')                // false
 * jsonTextMayRound('{"a":12345678901234567}')  // true
 * ```
 */
export function jsonTextMayRound(text: string): boolean {
  return MAYBE_LOSSY.test(text);
}

/**
 * A JSON document that is a bare number a double cannot hold (`9007199254740993`,
 * `12345678901234567890.5`, `1e400`), as Postgres json/jsonb columns read it: the exact
 * text is kept. It acts as a number in arithmetic and comparisons (`valueOf()` is the
 * nearest double), `String()` gives the exact text, `toJSON()` writes the exact text
 * where the runtime has `JSON.rawJSON` (Node 22+) and the nearest double before, and
 * Switchyard writes, copies and compares the exact text ({@link jsonSourceOf}).
 *
 * @example
 * ```ts
 * const n = new JsonNumber('9007199254740993');
 * n.text       // '9007199254740993'
 * Number(n)    // 9007199254740992
 * n + 1        // 9007199254740992 (arithmetic is on doubles)
 * ```
 */
export class JsonNumber {
  /** The number exactly as the document wrote it. */
  readonly text: string;

  constructor(text: string) {
    if (!/^-?(?:0|[1-9]\d*)(?:\.\d+)?(?:[eE][+-]?\d+)?$/.test(text)) throw new TypeError(`Not a JSON number: ${JSON.stringify(text)}`);
    this.text = text;
  }

  /** The exact text, for {@link jsonSourceOf}. */
  get [JSON_SOURCE](): string {
    return this.text;
  }

  /**
   * The nearest double.
   *
   * @example
   * ```ts
   * new JsonNumber('1.5').valueOf() // 1.5
   * ```
   */
  valueOf(): number {
    return Number(this.text);
  }

  /**
   * The exact text.
   *
   * @example
   * ```ts
   * String(new JsonNumber('9007199254740993')) // '9007199254740993'
   * ```
   */
  toString(): string {
    return this.text;
  }

  /**
   * For `JSON.stringify`: the exact text with `JSON.rawJSON`, else the nearest double.
   *
   * @example
   * ```ts
   * JSON.stringify({ n: new JsonNumber('1.5') }) // '{"n":1.5}'
   * ```
   */
  toJSON(): unknown {
    const raw = (JSON as { rawJSON?: (text: string) => unknown }).rawJSON;
    return raw ? raw(this.text) : this.valueOf();
  }

  /**
   * For `pg` when bound as a parameter: the exact text.
   *
   * @example
   * ```ts
   * await pool.query('INSERT INTO t (doc) VALUES ($1)', [new JsonNumber('9007199254740993')]);
   * ```
   */
  toPostgres(): string {
    return this.text;
  }
}

/**
 * `JSON.parse`, with the source text kept under {@link JSON_SOURCE} when a number may
 * have been rounded or would be written back in another form (`1.50`, `0.0000001`) and
 * the document is an object or array, and a {@link JsonNumber}
 * when the document is a bare number a double does not hold exactly.
 *
 * @example
 * ```ts
 * parseJsonKeepingSource('[1,2]')             // [1, 2]
 * parseJsonKeepingSource('9007199254740993')  // JsonNumber { text: '9007199254740993' }
 * ```
 */
export function parseJsonKeepingSource(text: string): unknown {
  const value: unknown = JSON.parse(text);
  if (value === null || !TEXT_NOT_REWRITTEN.test(text)) return value;
  if (typeof value === 'object') {
    keepJsonSource(value, text);
  } else if (typeof value === 'number') {
    const exact = text.trim();
    if (canonicalNumberText(exact) !== canonicalNumberText(String(value))) return new JsonNumber(exact);
  }
  return value;
}

/**
 * JSON text in canonical form, read without converting numbers to doubles: object keys
 * sorted (the last of duplicate keys wins, as in `JSON.parse` and jsonb), no white space,
 * strings re-escaped one way, numbers written from their exact decimal value (`1.0`,
 * `1` and `1e0` are one number; `9007199254740993` and `...992` are two). `undefined`
 * when the text is not JSON.
 *
 * @example
 * ```ts
 * canonicalJsonText('{"b": 1.50, "a": [1E2]}') // '{"a":[100],"b":1.5}'
 * ```
 */
export function canonicalJsonText(text: string): string | undefined {
  const reader = { text, at: 0 };
  try {
    const out = readValue(reader);
    skipSpace(reader);
    return reader.at === text.length ? out : undefined;
  } catch {
    return undefined;
  }
}

interface Reader {
  text: string;
  at: number;
}

/** The index of the first character at or after `at` in `text` that is not JSON white space. */
export function skipJsonSpace(text: string, at: number): number {
  const reader = { text, at };
  skipSpace(reader);
  return reader.at;
}

/** The index just past the JSON value that starts at `at` (after white space) in `text`; throws a `SyntaxError` when there is none. */
export function endOfJsonValue(text: string, at: number): number {
  const reader = { text, at };
  readValue(reader);
  return reader.at;
}

const NUMBER = /-?(?:0|[1-9]\d*)(?:\.\d+)?(?:[eE][+-]?\d+)?/y;
const STRING = /"(?:[^"\\\u0000-\u001f]|\\(?:["\\/bfnrt]|u[0-9a-fA-F]{4}))*"/y;

function skipSpace(r: Reader): void {
  while (r.at < r.text.length) {
    const c = r.text.charCodeAt(r.at);
    if (c !== 32 && c !== 10 && c !== 13 && c !== 9) return;
    r.at++;
  }
}

function readValue(r: Reader): string {
  skipSpace(r);
  const c = r.text[r.at];
  if (c === '{') return readObject(r);
  if (c === '[') {
    r.at++;
    const items: string[] = [];
    skipSpace(r);
    if (r.text[r.at] === ']') {
      r.at++;
      return '[]';
    }
    for (;;) {
      items.push(readValue(r));
      skipSpace(r);
      const next = r.text[r.at++];
      if (next === ']') return '[' + items.join(',') + ']';
      if (next !== ',') throw new SyntaxError('expected , or ]');
    }
  }
  if (c === '"') return JSON.stringify(readString(r));
  for (const word of ['true', 'false', 'null']) {
    if (r.text.startsWith(word, r.at)) {
      r.at += word.length;
      return word;
    }
  }
  NUMBER.lastIndex = r.at;
  const m = NUMBER.exec(r.text);
  if (!m) throw new SyntaxError('unexpected character');
  r.at += m[0].length;
  return canonicalNumberText(m[0]);
}

function readString(r: Reader): string {
  STRING.lastIndex = r.at;
  const m = STRING.exec(r.text);
  if (!m) throw new SyntaxError('bad string');
  r.at += m[0].length;
  return JSON.parse(m[0]) as string;
}

function readObject(r: Reader): string {
  r.at++;
  const members = new Map<string, string>();
  skipSpace(r);
  if (r.text[r.at] === '}') {
    r.at++;
    return '{}';
  }
  for (;;) {
    skipSpace(r);
    const key = readString(r);
    skipSpace(r);
    if (r.text[r.at++] !== ':') throw new SyntaxError('expected :');
    members.set(key, readValue(r));
    skipSpace(r);
    const next = r.text[r.at++];
    if (next === '}') break;
    if (next !== ',') throw new SyntaxError('expected , or }');
  }
  const keys = [...members.keys()].sort();
  return '{' + keys.map((k) => JSON.stringify(k) + ':' + members.get(k)!).join(',') + '}';
}

/**
 * A JSON number's exact value in one spelling: plain decimal for exponents -6 to 20,
 * `d.ddde±n` beyond; `-0` is `0`.
 *
 * @example
 * ```ts
 * canonicalNumberText('1.50E+3') // '1500'
 * ```
 */
export function canonicalNumberText(text: string): string {
  const m = /^([+-]?)(\d*)(?:\.(\d*))?(?:[eE]([+-]?\d+))?$/.exec(text);
  if (!m) return text;
  const intPart = m[2] ?? '';
  const frac = m[3] ?? '';
  let digits = intPart + frac;
  let exp = intPart.length - 1 + Number(m[4] ?? 0); // exponent of the first digit
  const lead = digits.search(/[1-9]/);
  if (lead < 0) return '0';
  exp -= lead;
  digits = digits.slice(lead).replace(/0+$/, '');
  const sign = m[1] === '-' ? '-' : '';
  if (exp > 20 || exp < -7)
    return `${sign}${digits[0]}${digits.length > 1 ? '.' + digits.slice(1) : ''}e${exp < 0 ? '-' : '+'}${Math.abs(exp)}`;
  if (exp < 0) return `${sign}0.${'0'.repeat(-exp - 1)}${digits}`;
  if (digits.length <= exp + 1) return sign + digits + '0'.repeat(exp + 1 - digits.length);
  return `${sign}${digits.slice(0, exp + 1)}.${digits.slice(exp + 1)}`;
}

/**
 * {@link parseJsonKeepingSource}, keeping the text of every object or array, not only of
 * those whose numbers a double may round: a copy then writes what the source holds, key
 * order, duplicate keys and spacing (Postgres `json`) and a number's scale (`jsonb`'s
 * `1.50`). The text stops counting once the document is changed (see {@link jsonSourceOf}).
 *
 * @example
 * ```ts
 * exactJsonText(parseJsonWithText('{"b": 1, "a": 2}')) // '{"b": 1, "a": 2}'
 * ```
 */
export function parseJsonWithText(text: string): unknown {
  const value = parseJsonKeepingSource(text);
  // Kept already (a number that may round): asking jsonSourceOf would parse the text again.
  if (value === null || typeof value !== 'object' || value instanceof JsonNumber || JSON_SOURCE in value) return value;
  return keepJsonSource(value, text);
}
