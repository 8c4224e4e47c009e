import {
  InvalidArgumentError,
  encodeStoredValues,
  fromStoredValue,
  parseJsonKeepingSource,
  toStoredValue,
  type Statement,
} from '@switchyard/core';

/**
 * Parameters as the table journal keeps them: core's stored-value JSON, so a replayed
 * statement binds exactly what the original bound. Entries written by releases before
 * that format (`{ t, v }` per parameter) are still read.
 */
export function encodeJournalParams(params: readonly unknown[]): string {
  return encodeStoredValues(params);
}

/** Decodes what {@link encodeJournalParams}, or a release before it, wrote. */
export function decodeJournalParams(text: string): unknown[] {
  return storedList(JSON.parse(text));
}

/** The journal's `statements` column: each statement with its parameters as stored values. */
export function encodeJournalStatements(statements: readonly Statement[]): string {
  return JSON.stringify(storedStatements(statements));
}

/** {@link encodeJournalStatements} before it becomes text, for a column that holds it with more. */
export function storedStatements(statements: readonly Statement[]): { sql: string; params: unknown[] }[] {
  return statements.map((s) => ({ sql: s.sql, params: (s.params ?? []).map(toStoredValue) }));
}

/** Decodes what {@link encodeJournalStatements} wrote; earlier releases wrote each statement's parameters as nested text. */
export function decodeJournalStatements(parsed: readonly { sql: string; params: unknown }[]): Statement[] {
  return parsed.map((s) => ({
    sql: s.sql,
    params: typeof s.params === 'string' ? decodeJournalParams(s.params) : storedList(s.params),
  }));
}

function storedList(parsed: unknown): unknown[] {
  if (!Array.isArray(parsed)) {
    throw new InvalidArgumentError(
      `Journal parameters ${JSON.stringify(parsed)?.slice(0, 200)} are not a JSON array. The journal table was edited by hand or by another program: remove the entry.`,
    );
  }
  return parsed.map((value) => (isLegacy(value) ? legacyValue(value) : fromStoredValue(value)));
}

/** One parameter as releases before the stored-value format tagged it. */
type Legacy =
  | { t: 'v'; v: unknown } // JSON-safe as is
  | { t: 'd' | 'b' | 'x' | 'n' | 'j'; v: string } // Date, bigint, bytes (hex), NaN/±Infinity, exact JSON text
  | { t: 'u' }; // undefined

// A stored value is never an object keyed `t`: the format tags with `$` keys only.
function isLegacy(value: unknown): value is Legacy {
  return value !== null && typeof value === 'object' && !Array.isArray(value) && typeof (value as { t?: unknown }).t === 'string';
}

function legacyValue(tagged: Legacy): unknown {
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
      return fromStoredValue({ $bytes: tagged.v });
    default:
      return tagged.v;
  }
}
