import { toHex } from './canonical-text';
import { InvalidArgumentError } from './errors';
import { JSON_NULL, JsonNumber, asJsonText, jsonSourceOf, parseJsonWithText } from './json-exact';
import { PostgresArray } from './param-encode';
import { PreciseDate, exactTimestampText } from './precise-date';
import { parseTimestampText } from './timestamp-text';
import { UnholdableValue } from './unholdable-value';

/**
 * A SQL value in the JSON form Switchyard stores it in (copy checkpoints, the table
 * journal, mirror outbox rows and queue messages). `null`, booleans, strings and finite
 * numbers are themselves; any other value is an object with one `$`-tag key:
 *
 * | tag | value | payload |
 * | --- | --- | --- |
 * | `$int` | `bigint` | decimal text |
 * | `$number` | `NaN`, `±Infinity`, `-0` | `String(n)`, `'-0'` |
 * | `$time` | `Date`, `PreciseDate` | ISO-8601 UTC, microseconds kept; `'invalid'` |
 * | `$bytes` | `Uint8Array` | hex |
 * | `$buffer` | `ArrayBuffer` | hex |
 * | `$jsonNumber` | `JsonNumber` | its exact text |
 * | `$json` | a document parsed keeping its text | that text |
 * | `$array` / `$pgArray` | array / `PostgresArray` | stored items |
 * | `$object` | plain object | key → stored value |
 * | `$undefined` | `undefined` | `true` |
 * | `$unholdable` | `UnholdableValue` | `{ value, reason }`, the value stored |
 */
export type StoredValue = null | boolean | number | string | { readonly [tag: string]: unknown };

/**
 * The JSON-ready stored form of a value (see {@link StoredValue}); decode it with
 * {@link fromStoredValue}. Functions and symbols are an `InvalidArgumentError`.
 *
 * @example
 * ```ts
 * toStoredValue(5n)          // { $int: '5' }
 * toStoredValue(new Date(0)) // { $time: '1970-01-01T00:00:00.000Z' }
 * toStoredValue('a')         // 'a'
 * ```
 */
export function toStoredValue(value: unknown): StoredValue {
  switch (typeof value) {
    case 'string':
    case 'boolean':
      return value;
    case 'number':
      if (Number.isFinite(value) && !Object.is(value, -0)) return value;
      return { $number: Object.is(value, -0) ? '-0' : String(value) };
    case 'bigint':
      return { $int: value.toString() };
    case 'undefined':
      return { $undefined: true };
    case 'function':
    case 'symbol':
      throw new InvalidArgumentError(
        `A ${typeof value} cannot be stored as a SQL value. Store null, a string, a number, a bigint, a boolean, a Date, bytes or a JSON value.`,
      );
  }
  if (value === null) return null;
  if (value instanceof JsonNumber) return { $jsonNumber: value.text };
  // Kept as what it is, so the side that binds it still refuses it with its reason.
  if (value instanceof UnholdableValue) return { $unholdable: { value: toStoredValue(value.value), reason: value.reason } };
  const source = jsonSourceOf(value);
  if (source !== undefined) return { $json: source };
  if (value instanceof Date) return { $time: Number.isNaN(value.getTime()) ? 'invalid' : exactTimestampText(value) };
  if (value instanceof Uint8Array) return { $bytes: toHex(value) };
  if (value instanceof ArrayBuffer) return { $buffer: toHex(value) };
  if (value instanceof PostgresArray) return { $pgArray: Array.from(value, toStoredValue) };
  if (Array.isArray(value)) return { $array: value.map(toStoredValue) };
  const entries = Object.entries(value as Record<string, unknown>).map(([k, v]) => [k, toStoredValue(v)]);
  return { $object: Object.fromEntries(entries) as Record<string, StoredValue> };
}

/**
 * The value a {@link StoredValue} stands for. A tag it does not know (written by a newer
 * release, or edited by hand) is an `InvalidArgumentError`.
 *
 * @example
 * ```ts
 * fromStoredValue({ $int: '9007199254740993' }) // 9007199254740993n
 * ```
 */
export function fromStoredValue(stored: unknown): unknown {
  if (stored === null || typeof stored !== 'object') return stored;
  const keys = Array.isArray(stored) ? [] : Object.keys(stored);
  const tag = keys.length === 1 ? keys[0]! : '';
  const payload = (stored as Record<string, unknown>)[tag];
  switch (tag) {
    case '$int':
      return BigInt(text(payload, tag));
    case '$number':
      return Number(text(payload, tag));
    case '$time':
      return timeFrom(text(payload, tag));
    case '$bytes':
      return bytesFromHex(text(payload, tag));
    case '$buffer':
      return bytesFromHex(text(payload, tag)).buffer;
    case '$jsonNumber':
      return new JsonNumber(text(payload, tag));
    case '$json': {
      const json = text(payload, tag);
      if (json === 'null') return JSON_NULL;
      const doc = parseJsonWithText(json);
      // A bare document (`1.50`, a json column's ` null `) was bound as its text (asJsonText), and stays so.
      return doc !== null && typeof doc === 'object' ? doc : asJsonText(json);
    }
    case '$array':
      return list(payload, tag).map(fromStoredValue);
    case '$pgArray':
      return PostgresArray.from(list(payload, tag), fromStoredValue);
    case '$object':
      if (payload === null || typeof payload !== 'object' || Array.isArray(payload)) break;
      return Object.fromEntries(Object.entries(payload).map(([k, v]) => [k, fromStoredValue(v)]));
    case '$undefined':
      return undefined;
    case '$unholdable': {
      const { value, reason } = (payload ?? {}) as { value?: unknown; reason?: unknown };
      return new UnholdableValue(fromStoredValue(value), text(reason, tag));
    }
  }
  throw notStored(stored);
}

/**
 * A value as stored-value JSON text.
 *
 * @example
 * ```ts
 * encodeStoredValue(new Uint8Array([1, 255])) // '{"$bytes":"01ff"}'
 * ```
 */
export function encodeStoredValue(value: unknown): string {
  return JSON.stringify(toStoredValue(value));
}

/**
 * The value behind text {@link encodeStoredValue} wrote.
 *
 * @example
 * ```ts
 * decodeStoredValue('{"$int":"42"}') // 42n
 * ```
 */
export function decodeStoredValue(json: string): unknown {
  return fromStoredValue(JSON.parse(json));
}

/**
 * A list of values (a statement's parameters, a key) as stored-value JSON text: a JSON
 * array of {@link StoredValue}s.
 *
 * @example
 * ```ts
 * encodeStoredValues([1, 2n, null]) // '[1,{"$int":"2"},null]'
 * ```
 */
export function encodeStoredValues(values: readonly unknown[]): string {
  return JSON.stringify(values.map(toStoredValue));
}

/**
 * The values behind text {@link encodeStoredValues} wrote.
 *
 * @example
 * ```ts
 * decodeStoredValues('[1,{"$int":"2"},null]') // [1, 2n, null]
 * ```
 */
export function decodeStoredValues(json: string): unknown[] {
  const parsed: unknown = JSON.parse(json);
  if (!Array.isArray(parsed)) throw notStored(parsed);
  return parsed.map(fromStoredValue);
}

function text(payload: unknown, tag: string): string {
  if (typeof payload !== 'string') throw notStored({ [tag]: payload });
  return payload;
}

function list(payload: unknown, tag: string): unknown[] {
  if (!Array.isArray(payload)) throw notStored({ [tag]: payload });
  return payload;
}

// Microseconds survive: a copy resumes at the exact key it stopped at, and a replayed
// write binds the timestamp the application bound.
function timeFrom(iso: string): Date {
  if (iso === 'invalid') return new Date(Number.NaN);
  const micros = parseTimestampText(iso);
  if (micros === undefined) throw notStored({ $time: iso });
  return micros % 1000n === 0n ? new Date(Number(micros / 1000n)) : PreciseDate.fromEpochMicros(micros);
}

function bytesFromHex(hex: string): Uint8Array {
  if (hex.length % 2 !== 0 || !/^[0-9a-fA-F]*$/.test(hex)) throw notStored({ $bytes: hex });
  const out = new Uint8Array(hex.length / 2);
  for (let i = 0; i < out.length; i++) out[i] = Number.parseInt(hex.slice(i * 2, i * 2 + 2), 16);
  return out;
}

function notStored(stored: unknown): InvalidArgumentError {
  const shown = JSON.stringify(stored) ?? String(stored);
  return new InvalidArgumentError(
    `${shown.length > 200 ? shown.slice(0, 200) + '…' : shown} is not a stored SQL value: expected null, a boolean, a number, ` +
      'a string or an object with one known tag ($int, $number, $time, $bytes, $buffer, $jsonNumber, $json, $array, $pgArray, $object, $undefined). ' +
      'It may have been written by a newer Switchyard release: read it with that release.',
  );
}
