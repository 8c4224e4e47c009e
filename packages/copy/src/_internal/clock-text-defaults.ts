import { quoteLiteral } from '@switchyard/core';

/** strftime's specifiers as Postgres's `to_char` writes them; SQLite's `%f` is seconds to the millisecond. */
const SPECIFIERS: Record<string, string> = { Y: 'YYYY', m: 'MM', d: 'DD', H: 'HH24', M: 'MI', S: 'SS', f: 'SS.MS', j: 'DDD', '%': '%' };

/** SQLite's clock functions of `'now'` with no modifier, and the format each writes. */
const CLOCK_FORMATS: Record<string, string> = {
  current_timestamp: '%Y-%m-%d %H:%M:%S',
  current_date: '%Y-%m-%d',
  current_time: '%H:%M:%S',
};

/**
 * A SQLite clock default of a text column (`CURRENT_TIMESTAMP`, `datetime('now')`,
 * `strftime('%Y-%m-%dT%H:%M:%fZ', 'now')`) as a Postgres expression that writes the same
 * text, in UTC as SQLite does: `to_char(now() AT TIME ZONE 'UTC', …)`. As `now()` a text
 * column took Postgres's own form (`2026-12-07 03:24:10.123456+00`), so after a switch new
 * rows held other text than the copied ones, and `ORDER BY` a SQLite `YYYY-MM-DDTHH…`
 * column put them before every older row of their day. `undefined` for anything else.
 *
 * @example
 * ```ts
 * clockTextDefault('CURRENT_TIMESTAMP'); // "to_char(now() AT TIME ZONE 'UTC', 'YYYY-MM-DD HH24:MI:SS')"
 * ```
 */
export function clockTextDefault(expression: string): string | undefined {
  const e = expression.trim();
  const word = CLOCK_FORMATS[e.toLowerCase()];
  const call = /^(datetime|date|time|strftime)\s*\(\s*(?:'((?:[^']|'')*)'\s*,\s*)?'now'\s*\)$/i.exec(e);
  let format = word;
  if (call) {
    const fn = call[1]!.toLowerCase();
    if ((fn === 'strftime') !== (call[2] !== undefined)) return undefined;
    format = fn === 'strftime' ? call[2]!.replaceAll("''", "'") : CLOCK_FORMATS[`current_${fn === 'datetime' ? 'timestamp' : fn}`];
  }
  const pattern = format === undefined ? undefined : toCharPattern(format);
  return pattern === undefined ? undefined : `to_char(now() AT TIME ZONE 'UTC', ${quoteLiteral(pattern)})`;
}

/** A strftime format as a `to_char` pattern: specifiers mapped, letters quoted; `undefined` for a specifier it lacks (`%s`, `%w`). */
function toCharPattern(format: string): string | undefined {
  let out = '';
  for (let i = 0; i < format.length; i++) {
    const ch = format[i]!;
    if (ch === '%') {
      const mapped = SPECIFIERS[format[++i] ?? ''];
      if (mapped === undefined) return undefined;
      out += mapped;
    } else if (ch === '"' || ch === '\\') return undefined;
    else out += /[A-Za-z]/.test(ch) ? `"${ch}"` : ch;
  }
  return out;
}
