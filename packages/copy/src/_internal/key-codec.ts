import { PreciseDate, exactTimestampText, parseTimestampText } from '@switchyard/core';

/**
 * Primary key values are kept in the checkpoint table as JSON text. Values JSON cannot
 * carry exactly (int64 beyond 2^53, dates, bytes) are tagged so they come back as they were.
 */
export type KeyValues = unknown[];

export function encodeKey(values: KeyValues | null | undefined): string | null {
  if (!values) return null;
  return JSON.stringify(values.map(tag));
}

export function decodeKey(text: unknown): KeyValues | null {
  if (text === null || text === undefined || text === '') return null;
  const parsed = JSON.parse(String(text)) as unknown[];
  return parsed.map(untag);
}

function tag(value: unknown): unknown {
  if (typeof value === 'bigint') return { $bigint: value.toString() };
  if (value instanceof Date) return { $date: exactTimestampText(value) };
  if (value instanceof Uint8Array) return { $hex: Buffer.from(value).toString('hex') };
  return value;
}

function untag(value: unknown): unknown {
  if (value && typeof value === 'object') {
    const v = value as Record<string, string>;
    if ('$bigint' in v) {
      const big = BigInt(v.$bigint!);
      return big <= BigInt(Number.MAX_SAFE_INTEGER) && big >= BigInt(Number.MIN_SAFE_INTEGER) ? Number(big) : big;
    }
    if ('$date' in v) return dateFromText(v.$date!);
    if ('$hex' in v) return Buffer.from(v.$hex!, 'hex');
  }
  return value;
}

// Microseconds survive a resume: a key page must restart exactly where it stopped.
function dateFromText(text: string): Date {
  const micros = parseTimestampText(text);
  if (micros === undefined) return new Date(text);
  return micros % 1000n === 0n ? new Date(Number(micros / 1000n)) : PreciseDate.fromEpochMicros(micros);
}
