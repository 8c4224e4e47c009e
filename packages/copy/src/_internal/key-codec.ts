import { decodeStoredValues, encodeStoredValues, fromStoredValue } from '@switchyard/core';

/**
 * Primary key values are kept in the checkpoint table as stored-value JSON (core's
 * `encodeStoredValues`), so int64 beyond 2^53, dates with microseconds and bytes come
 * back as they were.
 */
export type KeyValues = unknown[];

export function encodeKey(values: KeyValues | null | undefined): string | null {
  if (!values) return null;
  return encodeStoredValues(values);
}

export function decodeKey(text: unknown): KeyValues | null {
  if (text === null || text === undefined || text === '') return null;
  const parsed: unknown = JSON.parse(String(text));
  // Not a list: the codec's error says what stored-value JSON looks like.
  if (!Array.isArray(parsed)) return decodeStoredValues(String(text));
  return parsed.map((value) => legacyKeyValue(value) ?? fromStoredValue(value));
}

/**
 * A key value as checkpoints written before the stored-value format tagged it
 * (`{ $bigint }`, `{ $date }`, `{ $hex }`), read as those releases read it, so a copy
 * started by one resumes under the next. `undefined` for anything else.
 */
function legacyKeyValue(value: unknown): unknown {
  if (!value || typeof value !== 'object' || Array.isArray(value)) return undefined;
  const v = value as Record<string, unknown>;
  if (typeof v.$bigint === 'string') {
    const big = BigInt(v.$bigint);
    return big <= BigInt(Number.MAX_SAFE_INTEGER) && big >= BigInt(Number.MIN_SAFE_INTEGER) ? Number(big) : big;
  }
  // Dates and bytes were written as the stored-value format writes them, under other tags.
  if (typeof v.$date === 'string') return fromStoredValue({ $time: v.$date });
  if (typeof v.$hex === 'string') return fromStoredValue({ $bytes: v.$hex });
  return undefined;
}
