import type { DialectName } from '@switchyard/core';

/**
 * Functions one engine names differently from the other, with the same meaning: SQLite's
 * `ifnull` and `instr` are Postgres's `coalesce` and `strpos`, and SQLite's `group_concat`
 * is Postgres's `string_agg` (which takes text, and a separator SQLite defaults to ',').
 * By the engine a text comes from: the names it may use, each rewritten for the other.
 */
const COUNTERPARTS: Record<'sqlite' | 'postgres', Record<string, (args: string[]) => string | undefined>> = {
  sqlite: {
    ifnull: (args) => (args.length === 2 ? `coalesce(${args.join(', ')})` : undefined),
    instr: (args) => (args.length === 2 ? `strpos(${args.join(', ')})` : undefined),
    group_concat: ([value, separator, ...rest]) => {
      if (!value || rest.length > 0) return undefined;
      const distinct = /^DISTINCT\s+/i.exec(value);
      const text = `CAST(${value.slice(distinct?.[0].length ?? 0)} AS text)`;
      return `string_agg(${distinct ? 'DISTINCT ' : ''}${text}, ${separator ?? "','"})`;
    },
  },
  postgres: {
    strpos: (args) => (args.length === 2 ? `instr(${args.join(', ')})` : undefined),
    string_agg: ([value, separator, ...rest]) => {
      if (!value || !separator || rest.length > 0) return undefined;
      // SQLite takes DISTINCT with the default separator only.
      if (/^DISTINCT\s/i.test(value)) return separator === "','" ? `group_concat(${value})` : undefined;
      return `group_concat(${value}, ${separator})`;
    },
  },
};

/** The names of functions a text from `from` may use that {@link counterpartFunctions} rewrites. */
export function counterpartNames(from: DialectName): ReadonlySet<string> {
  return new Set(Object.keys(COUNTERPARTS[from === 'postgres' ? 'postgres' : 'sqlite']));
}

/**
 * `sql` with each function of {@link counterpartNames} written as the other engine names
 * it, or `undefined` when a call takes a form the other engine does not (an `ORDER BY`
 * among an aggregate's arguments, a wrong count). Strings and quoted names are left alone.
 *
 * @example
 * ```ts
 * counterpartFunctions("group_concat(name, '; ')", 'sqlite') // "string_agg(CAST(name AS text), '; ')"
 * ```
 */
export function counterpartFunctions(sql: string, from: DialectName): string | undefined {
  const rewrite = COUNTERPARTS[from === 'postgres' ? 'postgres' : 'sqlite'];
  let out = '';
  let i = 0;
  while (i < sql.length) {
    const quoted = quotedAt(sql, i);
    if (quoted > i) {
      out += sql.slice(i, quoted);
      i = quoted;
      continue;
    }
    const call = /^([a-z_][a-z0-9_]*)\s*\(/i.exec(sql.slice(i));
    const word = /[a-z0-9_$]/i.test(sql[i - 1] ?? '') ? undefined : call?.[1]!.toLowerCase();
    const make = word === undefined ? undefined : rewrite[word];
    if (!call || !make) {
      out += sql[i];
      i++;
      continue;
    }
    const args = argumentsAt(sql, i + call[0].length);
    if (!args) return undefined;
    const inner = args.list.map((a) => counterpartFunctions(a, from));
    if (inner.some((a) => a === undefined || /\bORDER\s+BY\b/i.test(a))) return undefined;
    const made = make(inner as string[]);
    if (made === undefined) return undefined;
    out += made;
    i = args.end;
  }
  return out;
}

/** The end of a string or quoted name starting at `at`, or `at` itself when none does. */
function quotedAt(sql: string, at: number): number {
  const close = { "'": "'", '"': '"', '`': '`', '[': ']' }[sql[at]!];
  if (!close) return at;
  let i = at + 1;
  for (;;) {
    const end = sql.indexOf(close, i);
    if (end < 0) return sql.length;
    // A doubled quote is one quote inside.
    if (close !== ']' && sql[end + 1] === close) {
      i = end + 2;
      continue;
    }
    return end + 1;
  }
}

/** A call's arguments (each trimmed) from just after its `(`, and the index after its `)`. */
function argumentsAt(sql: string, from: number): { list: string[]; end: number } | undefined {
  const list: string[] = [];
  let depth = 0;
  let start = from;
  for (let i = from; i < sql.length;) {
    const quoted = quotedAt(sql, i);
    if (quoted > i) {
      i = quoted;
      continue;
    }
    const c = sql[i]!;
    if (c === '(') depth++;
    else if (c === ')' && depth > 0) depth--;
    else if ((c === ',' || c === ')') && depth === 0) {
      list.push(sql.slice(start, i).trim());
      start = i + 1;
      if (c === ')') return { list: list.filter((a, n) => a !== '' || n > 0), end: i + 1 };
    }
    i++;
  }
  return undefined;
}
