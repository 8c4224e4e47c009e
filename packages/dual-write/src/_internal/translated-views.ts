import type { DialectName } from '@switchyard/core';
import type { SchemaTranslator, TranslatedObjects } from '../dual-write-options';

// The translator is asked about the view alone: the other objects it reads are none.
const NOTHING_ELSE = { checks: [], triggers: [], functions: [], rules: [], domains: [], enums: [], generated: [] };

// CREATE VIEW [IF NOT EXISTS] name AS select: not OR REPLACE, TEMP, or a column list (they go as written).
const CREATE_VIEW = /^\s*CREATE\s+VIEW\s+(?:IF\s+NOT\s+EXISTS\s+)?("(?:[^"]|"")+"|[A-Za-z_][\w$]*)\s+AS\s+([\s\S]+?)[\s;]*$/i;

/**
 * A `CREATE VIEW` of one engine in the other's words, as `translateSchema` makes a view
 * (`group_concat`, `ifnull` and `instr` as Postgres's `string_agg`, `coalesce` and `strpos`,
 * and back; Postgres's casts dropped), or `undefined` when its SQL does not translate: it then
 * goes as written, and a secondary that cannot parse it refuses it before it runs.
 */
export function translatedView(translator: SchemaTranslator, sql: string, from: DialectName, to: DialectName): string | undefined {
  const m = CREATE_VIEW.exec(sql);
  if (!m) return undefined;
  const name = m[1]!.startsWith('"') ? m[1]!.slice(1, -1).replaceAll('""', '"') : m[1]!;
  const objects: TranslatedObjects = { dialect: from, views: [{ name, sql: m[2]! }], ...NOTHING_ELSE };
  try {
    return translator([], to, { from, ifNotExists: false, objects }).postData.find((s) => /^CREATE\s+(?:OR\s+REPLACE\s+)?VIEW\b/i.test(s));
  } catch {
    return undefined;
  }
}
