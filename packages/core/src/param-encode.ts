import { LimitExceededError, ParameterError } from './errors';
import { exactJsonText } from './json-exact';
import { exactTimestampText, inFourDigitYears, postgresTimestampText } from './precise-date';
import { isWellFormedText } from './canonical-text';
import { UnholdableValue } from './unholdable-value';
import type { AdapterCapabilities, DialectName } from './types';

const MAX_SAFE = BigInt(Number.MAX_SAFE_INTEGER);
const MIN_SAFE = BigInt(Number.MIN_SAFE_INTEGER);

/**
 * D1's largest string or BLOB value, in bytes; binding a larger one is a
 * `LimitExceededError` (`limit: 'valueBytes'`) before the round trip.
 *
 * @example
 * ```ts
 * if (bytes.byteLength > D1_MAX_VALUE_BYTES) await r2.put(key, bytes);
 * ```
 */
export const D1_MAX_VALUE_BYTES = 2_000_000;

/**
 * Encodes parameters for an engine, the same way on every adapter: booleans as 1/0
 * and `Date` as ISO-8601 UTC text on SQLite and D1; plain objects and arrays as JSON
 * text; bytes as BLOB/BYTEA; `bigint` exact where the engine can, a
 * {@link ParameterError} where it would round. `undefined` is an error naming its position,
 * and so is a number the engine would store as NULL (NaN on SQLite and D1, ±Infinity on D1),
 * and text Postgres refuses (a NUL character).
 *
 * @example
 * ```ts
 * encodeParams([true, new Date(0), { a: 1 }], 'sqlite', caps, sql)
 * // [1, '1970-01-01T00:00:00.000Z', '{"a":1}']
 * ```
 */
export function encodeParams(
  params: readonly unknown[],
  dialect: DialectName,
  capabilities: Pick<AdapterCapabilities, 'exactInt64'>,
  sql?: string,
): unknown[] {
  const out = new Array<unknown>(params.length);
  for (let i = 0; i < params.length; i++) out[i] = encodeValue(params[i], i + 1, dialect, capabilities, sql);
  return out;
}

/** Encodes one parameter; `position` is 1-based and named in errors. */
export function encodeValue(
  value: unknown,
  position: number,
  dialect: DialectName,
  capabilities: Pick<AdapterCapabilities, 'exactInt64'>,
  sql?: string,
): unknown {
  // The common cases first: this runs for every bound value.
  switch (typeof value) {
    case 'string':
      // A lone surrogate has no UTF-8 form: every driver would store U+FFFD (or its raw
      // surrogate bytes) in its place, and the text could never be read back.
      if (!isWellFormedText(value)) {
        throw new ParameterError(
          `Parameter ${position} is text with a lone UTF-16 surrogate, which ${dialect} cannot store as UTF-8 without replacing it. ` +
            'Fix the string (String.prototype.toWellFormed) or store it as a BLOB.',
          { dialect, sql, position },
        );
      }
      // Postgres refuses U+0000 in any text it reads (22021), after the round trip and, in a dual write, after the other side stored it.
      if (dialect === 'postgres' && value.includes('\u0000')) {
        throw new ParameterError(
          `Parameter ${position} is text with a NUL character (U+0000), which postgres cannot store in text. ` +
            'Remove it, or store the value as bytes (a Uint8Array, in a bytea or BLOB column).',
          { dialect, sql, position },
        );
      }
      if (dialect === 'd1' && value.length * 3 > D1_MAX_VALUE_BYTES) checkD1Size(new TextEncoder().encode(value).length, position, sql);
      return value;
    case 'number':
      // SQLite stores NaN as NULL, and D1 (whose values travel as JSON) ±Infinity too:
      // refuse them rather than lose them silently.
      if (!Number.isFinite(value) && dialect !== 'postgres' && (dialect === 'd1' || Number.isNaN(value))) {
        throw new ParameterError(
          `Parameter ${position} is ${value}, which ${dialect} would store as NULL. Bind null, or store the value as TEXT.`,
          { dialect, sql, position },
        );
      }
      // pg sends numbers as String(value), which drops the sign of -0; a double column keeps it.
      if (dialect === 'postgres' && value === 0 && Object.is(value, -0)) return '-0';
      return value;
    case 'boolean':
      return dialect === 'postgres' ? value : value ? 1 : 0;
    case 'bigint':
      return encodeBigint(value, position, dialect, capabilities, sql);
    case 'undefined':
      throw new ParameterError(`Parameter ${position} is undefined. Bind null for SQL NULL, or pass a value.`, { dialect, sql, position });
    case 'function':
    case 'symbol':
      throw new ParameterError(`Parameter ${position} is a ${typeof value}, which no engine can store.`, {
        dialect,
        sql,
        position,
      });
  }
  if (value === null) return null;
  if (value instanceof UnholdableValue) throw new ParameterError(`Parameter ${position}: ${value.reason}`, { dialect, sql, position });
  if (value instanceof Date) {
    if (Number.isNaN(value.getTime())) {
      throw new ParameterError(`Parameter ${position} is an invalid Date.`, { dialect, sql, position });
    }
    if (dialect === 'postgres') return value;
    // ISO text outside years 0001-9999 ('+010000-…') sorts wrongly and no other engine reads it.
    if (!inFourDigitYears(value)) {
      throw new ParameterError(
        `Parameter ${position} is a Date in year ${value.getUTCFullYear()}, outside 0001-9999, which ${dialect} cannot store as ` +
          'ISO-8601 text that sorts and converts correctly. Store it as epoch milliseconds, or clamp it.',
        { dialect, sql, position },
      );
    }
    return exactTimestampText(value);
  }
  if (value instanceof Uint8Array) {
    if (dialect === 'd1') {
      if (value.byteLength > D1_MAX_VALUE_BYTES) checkD1Size(value.byteLength, position, sql);
      return value;
    }
    return isBuffer(value) ? value : Buffer.from(value.buffer, value.byteOffset, value.byteLength);
  }
  if (value instanceof ArrayBuffer) return dialect === 'd1' ? new Uint8Array(value) : Buffer.from(value);
  if (value instanceof PostgresArray && dialect === 'postgres') return encodeArrayItems(value, position, capabilities, sql);
  // Plain objects and arrays are JSON documents; Postgres would otherwise send arrays as ARRAY literals.
  // A document read from Postgres with numbers a double rounds is written from its text.
  return exactJsonText(value);
}

/**
 * An array to bind as a Postgres array (`int[]` columns, `= any($1)`) rather than as
 * JSON text. Kysely queries on Postgres bind their arrays this way, as Kysely's own
 * PostgresDialect does; SQLite and D1, which have no array type, get JSON text.
 *
 * @example
 * ```ts
 * await adapter.query('SELECT * FROM t WHERE id = any(?)', [PostgresArray.from([1, 2, 3])]);
 * ```
 */
export class PostgresArray<T = unknown> extends Array<T> {}

/** Elements of a Postgres array: encoded as top-level values are, dates as Postgres timestamp text at UTC (microseconds and BC kept). */
function encodeArrayItems(
  items: readonly unknown[],
  position: number,
  capabilities: Pick<AdapterCapabilities, 'exactInt64'>,
  sql?: string,
): unknown[] {
  return items.map((item) => {
    if (Array.isArray(item)) return encodeArrayItems(item, position, capabilities, sql);
    if (item instanceof Date && !Number.isNaN(item.getTime())) return postgresTimestampText(item);
    return encodeValue(item, position, 'postgres', capabilities, sql);
  });
}

function encodeBigint(
  value: bigint,
  position: number,
  dialect: DialectName,
  capabilities: Pick<AdapterCapabilities, 'exactInt64'>,
  sql?: string,
): unknown {
  if (value <= MAX_SAFE && value >= MIN_SAFE) return dialect === 'postgres' ? value.toString() : Number(value);
  if (!capabilities.exactInt64) {
    throw new ParameterError(
      `Parameter ${position} is ${value}n, beyond 2^53: ${dialect} would round it. ` +
        'Store it as TEXT, or keep this column on an engine with exact 64-bit integers.',
      { dialect, sql, position },
    );
  }
  return dialect === 'postgres' ? value.toString() : value;
}

function checkD1Size(bytes: number, position: number, sql: string | undefined): void {
  if (bytes <= D1_MAX_VALUE_BYTES) return;
  throw new LimitExceededError(
    'valueBytes',
    D1_MAX_VALUE_BYTES,
    bytes,
    `Parameter ${position} is ${bytes} bytes; d1 stores at most ${D1_MAX_VALUE_BYTES} bytes in one value. ` +
      'Split the value over several rows, or keep it in object storage (R2) and store its key.',
    { dialect: 'd1', sql },
  );
}

function isBuffer(value: Uint8Array): boolean {
  return typeof Buffer !== 'undefined' && Buffer.isBuffer(value);
}
