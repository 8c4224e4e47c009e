import { epochMicros, inFourDigitYears, parseTimestampText, PreciseDate, type Row } from '@switchyard/core';
import type { KeyColumn } from './table-plan';

// Past this many forms of one key, the rest are not looked up (several timestamp columns in one key).
const MAX_FORMS_PER_KEY = 64;

/**
 * Each key as given and in every form SQLite and D1 commonly hold its timestamp columns in:
 * ISO text at milliseconds or microseconds (`toISOString()`, a copy from Postgres), SQLite's
 * `'YYYY-MM-DD HH:MM:SS[.SSS]'` (`datetime('now')`, `CURRENT_TIMESTAMP`), ISO without
 * fraction, epoch seconds and milliseconds, a date alone at midnight. A key read from Postgres
 * (a Date) or written by the app in one form would otherwise not find the row stored in
 * another, and sampling reported it missing on one side and extra on the other. Every form
 * names the same instant, so a row found by any of them is the key's row.
 */
export function withStoredTimestampForms(keyRows: readonly Row[], keys: readonly KeyColumn[]): Row[] {
  const stamped = keys.filter((k) => k.type === 'timestamp');
  return keyRows.flatMap((row) => {
    let forms: Row[] = [row];
    for (const key of stamped) {
      const values = storedForms(row[key.name]);
      if (values.length === 0) continue;
      forms = forms.flatMap((f) => [f, ...values.map((v) => ({ ...f, [key.name]: v }))]).slice(0, MAX_FORMS_PER_KEY);
    }
    return forms;
  });
}

/**
 * A key Postgres is asked for in a timestamp column, as the instant it names: an epoch number
 * (how SQLite may hold it), which Postgres refuses bare, and zoneless text, which Postgres
 * would read in the session's time zone where SQLite's means UTC (as the copy writes it).
 */
export function withPostgresTimestampKeys(keyRows: readonly Row[], keys: readonly KeyColumn[]): Row[] {
  const stamped = keys.filter((k) => k.type === 'timestamp');
  return keyRows.map((row) => {
    let out: Row | undefined;
    for (const key of stamped) {
      const value = row[key.name];
      const micros = value instanceof Date ? undefined : microsOf(value);
      if (micros !== undefined) (out ??= { ...row })[key.name] = PreciseDate.fromEpochMicros(micros);
    }
    return out ?? row;
  });
}

/** Microseconds since the epoch of the instant a key value names (a Date, timestamp text, an epoch number), or `undefined`. */
function microsOf(value: unknown): bigint | undefined {
  if (value instanceof Date) return epochMicros(value);
  const named = typeof value === 'string' || typeof value === 'number' || typeof value === 'bigint';
  return named ? parseTimestampText(String(value).trim()) : undefined;
}

/** The other texts and numbers SQLite may hold the instant `value` names in; none when it names none. */
function storedForms(value: unknown): unknown[] {
  const micros = microsOf(value);
  if (micros === undefined) return [];
  const date = PreciseDate.fromEpochMicros(micros);
  if (Number.isNaN(date.getTime()) || !inFourDigitYears(date)) return [];
  const iso = date.toISOString(); // YYYY-MM-DDTHH:MM:SS.mmmZ
  // Every fraction that spells the instant exactly: none (whole seconds), .mmm, .mmmuuu.
  const fractions = [iso.slice(19, 23) + String(date.microseconds).padStart(3, '0')];
  if (date.microseconds === 0) fractions.push(iso.slice(19, 23));
  if (micros % 1_000_000n === 0n) fractions.push('');
  const forms: unknown[] = [];
  for (const separator of [' ', 'T'])
    for (const fraction of fractions)
      for (const zone of ['', 'Z']) forms.push(iso.slice(0, 10) + separator + iso.slice(11, 19) + fraction + zone);
  if (micros % 1_000_000n === 0n) forms.push(Number(micros / 1_000_000n));
  if (micros % 86_400_000_000n === 0n) forms.push(iso.slice(0, 10));
  if (date.microseconds === 0) forms.push(date.getTime());
  return forms.filter((f) => f !== value);
}
