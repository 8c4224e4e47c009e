import { toHex } from './canonical-text';
import { UnholdableValue } from './unholdable-value';

/** Bytes as the `Uint8Array` a bytea or BLOB column takes: D1's number arrays, an `ArrayBuffer`, text as its UTF-8. */
export function toBytes(value: unknown): unknown {
  if (Array.isArray(value)) return Uint8Array.from(value as number[]);
  if (value instanceof ArrayBuffer) return new Uint8Array(value);
  if (typeof value === 'string') return new TextEncoder().encode(value);
  return value;
}

const utf8 = new TextDecoder('utf-8', { fatal: true });

/**
 * A blob bound for a Postgres text column as the text its bytes spell; bytes that are not
 * UTF-8 are held back, since decoding them would put U+FFFD in place of the bad bytes.
 */
export function bytesToText(value: unknown): unknown {
  if (!(value instanceof Uint8Array)) return value;
  try {
    return utf8.decode(value);
  } catch {
    return new UnholdableValue(
      value,
      `the value is a blob (X'${toHex(value).slice(0, 64)}${value.length > 32 ? '…' : ''}') whose bytes are not UTF-8 text, and the Postgres column ` +
        'is not bytea: written as text, its bytes would change. Give the Postgres column the bytea type (columnTypes of translateSchema, or ALTER COLUMN … TYPE bytea), or store the value as text at the source.',
    );
  }
}
