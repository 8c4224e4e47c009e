import { jsonSourceOf, parseJsonKeepingSource, toHex } from '@switchyard/core';

/**
 * Parameters as JSON for the table journal, with the types JSON would lose tagged, so
 * a replayed statement binds exactly what the original bound: a `Date` stays a Date,
 * a `bigint` keeps every digit, bytes stay bytes.
 */
type Tagged =
  | { t: 'v'; v: unknown } // JSON-safe as is: string, finite number, boolean, null, plain JSON
  | { t: 'd'; v: string } // Date
  | { t: 'b'; v: string } // bigint
  | { t: 'x'; v: string } // bytes (hex)
  | { t: 'n'; v: string } // NaN, Infinity, -Infinity, which JSON would turn into null
  | { t: 'j'; v: string } // a JSON document read with its exact text (JsonNumber, big numbers)
  | { t: 'u' }; // undefined, kept so the engine reports it as it did the first time

/** Encodes parameters to JSON text. */
export function encodeParams(params: readonly unknown[]): string {
  return JSON.stringify(params.map(tag));
}

/** Decodes what {@link encodeParams} wrote. */
export function decodeParams(text: string): unknown[] {
  return (JSON.parse(text) as Tagged[]).map(untag);
}

function tag(value: unknown): Tagged {
  if (value === undefined) return { t: 'u' };
  if (value instanceof Date) return { t: 'd', v: value.toISOString() };
  if (typeof value === 'bigint') return { t: 'b', v: value.toString() };
  if (typeof value === 'number' && !Number.isFinite(value)) return { t: 'n', v: String(value) };
  if (value instanceof Uint8Array || value instanceof ArrayBuffer) return { t: 'x', v: toHex(value) };
  const source = jsonSourceOf(value);
  if (source !== undefined) return { t: 'j', v: source };
  return { t: 'v', v: value };
}

function untag(tagged: Tagged): unknown {
  switch (tagged.t) {
    case 'u':
      return undefined;
    case 'd':
      return new Date(tagged.v);
    case 'b':
      return BigInt(tagged.v);
    case 'n':
      return Number(tagged.v);
    case 'j':
      return parseJsonKeepingSource(tagged.v);
    case 'x':
      return Uint8Array.from(tagged.v.match(/../g) ?? [], (h) => parseInt(h, 16));
    default:
      return tagged.v;
  }
}
