import { canonicalEqual, formatCanonical, normalizeValue, type LogicalType } from '@switchyard/core';

const clip = (s: string): string => (s.length > 160 ? `${s.slice(0, 100)}…[${s.length} chars]…${s.slice(-40)}` : s);

function shape(value: unknown): string {
  if (value === null) return 'null';
  if (typeof value !== 'object') return typeof value;
  return value.constructor?.name ?? 'object';
}

/**
 * Asserts that a value read back equals the value written, once both are brought to the
 * canonical form of the column's logical type. On a mismatch the message stays short
 * even for megabyte values: both sides clipped, the first differing character, and the
 * JavaScript type the adapter returned.
 */
export function expectCanonicalEqual(read: unknown, written: unknown, type: LogicalType, label: string): void {
  const a = normalizeValue(written, type);
  const b = normalizeValue(read, type);
  if (canonicalEqual(a, b)) return;
  const wrote = formatCanonical(a);
  const got = formatCanonical(b);
  let i = 0;
  while (i < wrote.length && wrote[i] === got[i]) i++;
  throw new Error(
    `${label}: read back ${clip(got)} (a ${shape(read)}), but wrote ${clip(wrote)} ` + `as ${type}; they first differ at character ${i}.`,
  );
}
