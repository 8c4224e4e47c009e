/**
 * A `Date` that also carries the microseconds below its millisecond, as PostgreSQL
 * stores them. The Postgres adapter reads `timestamp` and `timestamptz` values with a
 * non-zero microsecond part as `PreciseDate`, so apps still get a `Date` while copies,
 * validation, repair and export keep every digit. `getTime()` and `toISOString()` behave
 * as on any `Date` (milliseconds); {@link PreciseDate.toPreciseISOString} and
 * {@link exactTimestampText} give the full value.
 *
 * @example
 * ```ts
 * const d = PreciseDate.fromEpochMicros(1_704_103_200_123_456n);
 * d.toISOString()        // '2024-01-01T10:00:00.123Z'
 * d.toPreciseISOString() // '2024-01-01T10:00:00.123456Z'
 * ```
 */
export class PreciseDate extends Date {
  /** Microseconds past the millisecond `getTime()` gives: 0-999. */
  readonly microseconds: number;

  constructor(epochMs: number, microseconds = 0) {
    super(epochMs);
    this.microseconds = microseconds;
  }

  /** A PreciseDate for microseconds since 1970-01-01T00:00:00Z. */
  static fromEpochMicros(micros: bigint): PreciseDate {
    const sub = ((micros % 1000n) + 1000n) % 1000n;
    return new PreciseDate(Number((micros - sub) / 1000n), Number(sub));
  }

  /** ISO-8601 UTC with six fractional digits. */
  toPreciseISOString(): string {
    const iso = this.toISOString();
    return iso.slice(0, -1) + String(this.microseconds).padStart(3, '0') + 'Z';
  }
}

/**
 * Microseconds since the epoch of a `Date`, counting a {@link PreciseDate}'s extra digits,
 * or `undefined` for an invalid Date.
 *
 * @example
 * ```ts
 * epochMicros(new Date(1)) // 1000n
 * ```
 */
export function epochMicros(date: Date): bigint | undefined {
  const ms = date.getTime();
  if (Number.isNaN(ms)) return undefined;
  const sub = date instanceof PreciseDate ? date.microseconds : 0;
  return BigInt(ms) * 1000n + BigInt(sub);
}

/** 0001-01-01T00:00:00.000Z and 9999-12-31T23:59:59.999Z: the years ISO-8601 text covers in four digits. */
const FIRST_MS = -62_135_596_800_000;
const LAST_MS = 253_402_300_799_999;

/**
 * True when a Date falls in years 0001-9999, the range every engine's text form holds.
 *
 * @example
 * ```ts
 * inFourDigitYears(new Date('+010000-01-01T00:00:00Z')) // false
 * ```
 */
export function inFourDigitYears(date: Date): boolean {
  const t = date.getTime();
  return t >= FIRST_MS && t <= LAST_MS;
}

/**
 * The text SQLite and D1 store for a Date: ISO-8601 UTC with milliseconds, or with
 * microseconds when a {@link PreciseDate} has them, so nothing is rounded away.
 *
 * @example
 * ```ts
 * exactTimestampText(new Date(0)) // '1970-01-01T00:00:00.000Z'
 * ```
 */
export function exactTimestampText(date: Date): string {
  return date instanceof PreciseDate && date.microseconds !== 0 ? date.toPreciseISOString() : date.toISOString();
}

/**
 * Postgres timestamp input text for any Date, microseconds included: years before 1 as
 * BC, years past 9999 in five or more digits, at UTC (`+00`). A `timestamp` column
 * ignores the offset and stores the UTC wall time.
 *
 * @example
 * ```ts
 * postgresTimestampText(new Date('+010000-01-01T00:00:00Z')) // '10000-01-01 00:00:00.000+00'
 * ```
 */
export function postgresTimestampText(date: Date): string {
  const iso = date.toISOString(); // ±YYYYYY-MM-DDTHH:MM:SS.sssZ outside 0000-9999
  const micros = date instanceof PreciseDate ? String(date.microseconds).padStart(3, '0') : '';
  const year = date.getUTCFullYear();
  const rest = iso.slice(iso.indexOf('-', 1), -1).replace('T', ' ') + micros + '+00';
  if (year <= 0) return String(1 - year).padStart(4, '0') + rest + ' BC';
  return String(year).padStart(4, '0') + rest;
}
