import { toHex } from './canonical-text';
import { PreciseDate } from './precise-date';
import { parseTimestampText } from './timestamp-text';

/**
 * Parses a PostgreSQL array literal (`{1,2,NULL}`, `{"a b","c"}`, `{{1,2},{3,4}}`),
 * applying `parse` to each non-NULL element. Used for the array types whose element
 * parser Switchyard overrides (int8[], numeric[], timestamp[], date[]), and for array
 * defaults translated to the JSON text SQLite and D1 hold arrays as.
 *
 * @example
 * ```ts
 * parsePgArray('{1,NULL,"a b"}', (s) => s); // ['1', null, 'a b']
 * ```
 */
export function parsePgArray(source: string, parse: (element: string) => unknown): unknown[] {
  let i = 0;
  // An optional dimension decoration: '[1:2]={…}'.
  if (source[0] === '[') i = source.indexOf('=') + 1;
  const read = (): unknown[] => {
    const out: unknown[] = [];
    i++; // '{'
    while (i < source.length) {
      const c = source[i];
      if (c === '}') {
        i++;
        return out;
      }
      if (c === ',') {
        i++;
        continue;
      }
      if (c === '{') {
        out.push(read());
      } else if (c === '"') {
        let value = '';
        i++;
        while (i < source.length && source[i] !== '"') {
          if (source[i] === '\\') i++;
          value += source[i];
          i++;
        }
        i++; // closing quote
        out.push(parse(value));
      } else {
        let end = i;
        while (end < source.length && source[end] !== ',' && source[end] !== '}') end++;
        const token = source.slice(i, end);
        i = end;
        out.push(token === 'NULL' ? null : parse(token));
      }
    }
    return out;
  };
  return read();
}

/**
 * A value pg read from a Postgres array column, as an array: pg parses the arrays of the
 * types it knows and hands back the others (an enum's, a range's) as their literal text,
 * `{happy,sad}`, which becomes the array of its elements' texts (`['happy', 'sad']`), what
 * SQLite and D1 hold as JSON and what validation compares. Any other value is returned as it is.
 *
 * @example
 * ```ts
 * arrayFromLiteral('{happy,"very sad",NULL}'); // ['happy', 'very sad', null]
 * arrayFromLiteral(['a']);                     // ['a']
 * ```
 */
export function arrayFromLiteral(value: unknown): unknown {
  return typeof value === 'string' && /^(?:\[[^\]]*\]=)?\{/.test(value) ? parsePgArray(value, (s) => s) : value;
}

/**
 * A Postgres array as the JSON list a copy writes to SQLite and D1: parsed, or from its
 * literal (see {@link arrayFromLiteral}), with the items JSON has no value for as the text
 * Postgres reads back into the array: bytes as bytea's hex (`\\x0102`; a Buffer would go as
 * its JSON), NaN and the infinities of `float8[]` and `timestamp[]` as `NaN`, `infinity`,
 * `-infinity` (JSON would write `null`, which reads back as NULL).
 *
 * @example
 * ```ts
 * postgresArrayList([Buffer.from([1, 2]), NaN, -Infinity, 1]); // ['\\x0102', 'NaN', '-infinity', 1]
 * ```
 */
export function postgresArrayList(value: unknown): unknown {
  const list = arrayFromLiteral(value);
  return Array.isArray(list) && list.some(unheld) ? list.map(heldItem) : list;
}

const unheld = (v: unknown): boolean => v instanceof Uint8Array || (typeof v === 'number' && !Number.isFinite(v)) || Array.isArray(v);

function heldItem(v: unknown): unknown {
  if (v instanceof Uint8Array) return `\\x${toHex(v)}`;
  if (typeof v === 'number' && !Number.isFinite(v)) return Number.isNaN(v) ? 'NaN' : v > 0 ? 'infinity' : '-infinity';
  return Array.isArray(v) ? postgresArrayList(v) : v;
}

/**
 * A list bound for a Postgres `timestamp[]` or `timestamptz[]` column, with items in ISO's
 * signed six-digit years (`-000043-03-15T10:00:00.000Z`: what a BC or past-9999 time inside an
 * array becomes in SQLite's and D1's JSON) as dates, which Postgres is sent in its own form
 * (it does not read those years), and every other item as it is.
 *
 * @example
 * ```ts
 * timestampArrayItems(['-000043-03-15T10:00:00.000Z', 'infinity']); // [PreciseDate(44 BC), 'infinity']
 * ```
 */
export function timestampArrayItems(list: readonly unknown[]): unknown[] {
  return list.map((item): unknown => {
    if (Array.isArray(item)) return timestampArrayItems(item);
    if (typeof item !== 'string' || !/^[+-]\d{6}-/.test(item)) return item;
    const micros = parseTimestampText(item.trim());
    return micros === undefined ? item : PreciseDate.fromEpochMicros(micros);
  });
}
