import { jsonSourceOf } from './json-source';
import { exactTimestampText } from './precise-date';

/**
 * JSON text with object keys sorted at every depth, so key order never decides equality.
 *
 * @example
 * ```ts
 * stableStringify({ b: 1, a: [2n] }) // '{"a":[2],"b":1}'
 * ```
 */
export function stableStringify(value: unknown): string {
  if (value === null || typeof value !== 'object') {
    if (typeof value === 'bigint') return value.toString();
    return JSON.stringify(value) ?? 'null';
  }
  // A number or document kept as its source text (a JsonNumber) is that text.
  const kept = jsonSourceOf(value);
  if (kept !== undefined) return kept;
  if (Array.isArray(value)) return '[' + value.map(stableStringify).join(',') + ']';
  // Microseconds a Postgres timestamp carries (a PreciseDate) are part of the value.
  if (value instanceof Date) return JSON.stringify(exactTimestampText(value));
  const obj = value as Record<string, unknown>;
  const keys = Object.keys(obj)
    .filter((k) => obj[k] !== undefined)
    .sort();
  return '{' + keys.map((k) => JSON.stringify(k) + ':' + stableStringify(obj[k])).join(',') + '}';
}

const HEX = Array.from({ length: 256 }, (_, i) => i.toString(16).padStart(2, '0'));

/**
 * Lower-case hex of bytes.
 *
 * @example
 * ```ts
 * toHex(new Uint8Array([0, 255])) // '00ff'
 * ```
 */
export function toHex(bytes: Uint8Array | ArrayBuffer): string {
  const view = bytes instanceof Uint8Array ? bytes : new Uint8Array(bytes);
  // Node's (and Workers' nodejs_compat) native encoder is far faster on large blobs.
  if (typeof Buffer !== 'undefined') return Buffer.from(view.buffer, view.byteOffset, view.byteLength).toString('hex');
  let out = '';
  for (let i = 0; i < view.length; i++) out += HEX[view[i]!];
  return out;
}

/**
 * False when a string holds a lone surrogate, which no engine stores as UTF-8 text.
 *
 * @example
 * ```ts
 * isWellFormedText('a\uD800b') // false
 * ```
 */
export function isWellFormedText(value: string): boolean {
  return (value as unknown as { isWellFormed(): boolean }).isWellFormed();
}
