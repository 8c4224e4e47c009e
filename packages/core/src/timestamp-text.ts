// Years of four or more digits, ISO's signed six-digit years, and Postgres' ' BC' suffix.
const SQL_DATETIME =
  /^([+-]\d{6}|\d{4,})-(\d{2})-(\d{2})(?:[ T](\d{2}):(\d{2})(?::(\d{2})(?:\.(\d+))?)?)?\s*(Z|[+-]\d{2}(?::?\d{2}(?::?\d{2})?)?)?( BC)?$/i;

/**
 * Microseconds since the epoch named by timestamp text (ISO-8601, SQLite's
 * `'YYYY-MM-DD HH:MM:SS'`, Postgres' output with its offset, BC and five-digit years, or
 * epoch seconds / milliseconds), or `undefined` when it names none.
 *
 * @example
 * ```ts
 * parseTimestampText('1970-01-01 00:00:01.000002+00') // 1000002n
 * ```
 */
export function parseTimestampText(s: string): bigint | undefined {
  if (/^[+-]?\d+(\.\d+)?$/.test(s) && !/^\d{4}-/.test(s)) {
    const n = Number(s);
    const scaled = Math.abs(n) < 1e11 ? n * 1e6 : n * 1e3;
    return Number.isFinite(scaled) ? BigInt(Math.round(scaled)) : undefined;
  }
  const m = SQL_DATETIME.exec(s);
  if (!m) return undefined;
  const [, y, mo, d, hh = '00', mi = '00', ss = '00', frac = '', zone, bc] = m;
  let year = Number(y);
  if (bc) year = 1 - year; // 1 BC is year 0
  const month = Number(mo);
  const day = Number(d);
  if (month < 1 || month > 12 || day < 1 || day > 31 || Number(hh) > 24 || Number(mi) > 59 || Number(ss) > 60) return undefined;
  // The day first (Date.UTC would map years 0-99 to 1900-1999), then the time, so 24:00:00
  // and a leap second roll over into the next day as Postgres reads them.
  const date = new Date(0);
  date.setUTCFullYear(year, month - 1, day);
  if (Number.isNaN(date.getTime()) || date.getUTCDate() !== day) return undefined;
  date.setUTCHours(Number(hh), Number(mi), Number(ss));
  if (Number.isNaN(date.getTime())) return undefined;
  let offsetSeconds = 0;
  if (zone && zone.toUpperCase() !== 'Z') {
    const parts = zone.slice(1).replace(/:/g, '');
    offsetSeconds = Number(parts.slice(0, 2)) * 3600 + Number(parts.slice(2, 4) || 0) * 60 + Number(parts.slice(4, 6) || 0);
    if (zone[0] === '-') offsetSeconds = -offsetSeconds;
  }
  const sub = BigInt((frac + '000000').slice(0, 6));
  return (BigInt(date.getTime()) - BigInt(offsetSeconds) * 1000n) * 1000n + sub;
}

/**
 * The word at the start of `s` that Postgres reads in date and time input as a moment of
 * its own (`now`, `today`, `tomorrow`, `yesterday`: its clock when it reads the value;
 * `epoch`: 1970-01-01), as `'today 10:00'` too; otherwise `undefined`. SQLite and D1 store
 * such a word as text; written to a Postgres date or time column it would become a time
 * the source never held.
 *
 * @example
 * ```ts
 * timeWordOf(' Now') // 'now'
 * timeWordOf('nowhere') // undefined
 * ```
 */
export function timeWordOf(s: string): string | undefined {
  return TIME_WORD.exec(s)?.[1]?.toLowerCase();
}
/** The words of {@link timeWordOf}, for a pattern that looks for them elsewhere (in a page of COPY text, say). */
export const TIME_WORDS: readonly string[] = ['now', 'today', 'tomorrow', 'yesterday', 'epoch'];
const TIME_WORD = new RegExp(`^\\s*(${TIME_WORDS.join('|')})(?=\\s|$)`, 'i');
