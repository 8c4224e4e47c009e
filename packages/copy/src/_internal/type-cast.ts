import type { ColumnInfo, DialectName } from '@switchyard/core';

/** A translated column type, or why it could not be translated exactly. */
export interface CastResult {
  type: string;
  /** Set when the type was approximated: the value survives, some meaning does not. */
  warning?: string;
}

/**
 * SQLite/D1 declared type -> Postgres, following pgloader's default casting rules:
 * integers to bigint (SQLite integers are 64-bit), real to double precision, blob to
 * bytea, datetime/timestamp to timestamptz, boolean to boolean, json to jsonb; sizes
 * and precisions kept where Postgres has the same type.
 */
export function sqliteToPostgresType(column: ColumnInfo): CastResult {
  const declared = column.declaredType.trim();
  const t = declared.toLowerCase();
  const args = /\(([^)]*)\)/.exec(t)?.[1];
  if (t === '') return { type: 'text', warning: 'the column has no declared type (it may hold any value); created as text' };
  if (t === 'uuid' || t === 'guid') return { type: 'uuid' };
  switch (column.logicalType) {
    case 'boolean':
      return { type: 'boolean' };
    case 'timestamp':
      if (t === 'date') return { type: 'date' };
      return { type: 'timestamptz' };
    case 'json':
      return { type: 'jsonb' };
    case 'blob':
      return { type: 'bytea' };
    case 'real':
      return { type: 'double precision' };
    case 'integer':
      if (/^(tinyint|smallint|int2)/.test(t)) return { type: 'smallint' };
      if (/^(mediumint)/.test(t)) return { type: 'integer' };
      return { type: 'bigint' };
    case 'numeric':
      if (/^(numeric|decimal)/.test(t)) return { type: args ? `numeric(${args.replace(/\s+/g, '')})` : 'numeric' };
      return { type: 'numeric', warning: `declared type "${declared}" has numeric affinity in SQLite; created as numeric` };
    case 'text':
      if (/^(varchar|character varying|nvarchar|varying character)/.test(t) && args) return { type: `varchar(${args.trim()})` };
      if (/^(char|character|nchar|native character)\b/.test(t) && args) return { type: `char(${args.trim()})` };
      if (
        /^(text|clob|varchar|char|character|nvarchar|nchar|string)/.test(t) ||
        t.includes('text') ||
        t.includes('char') ||
        t.includes('clob')
      )
        return { type: 'text' };
      if (t === 'uuid') return { type: 'uuid' };
      return { type: 'text', warning: `declared type "${declared}" is not a Postgres type; created as text` };
  }
}

/** Postgres declared type -> SQLite/D1, chosen so the logical type survives (core reads BOOLEAN, DATETIME, JSON by name). */
export function postgresToSqliteType(column: ColumnInfo): CastResult {
  const declared = column.declaredType.trim();
  const t = declared.toLowerCase();
  const args = /\(([^)]*)\)/.exec(t)?.[1];
  if (t.endsWith('[]')) return { type: 'JSON', warning: `array type "${declared}" is stored as JSON text in SQLite` };
  switch (column.logicalType) {
    case 'integer':
      return { type: /^(bigint|int8|bigserial)$/.test(t) ? 'BIGINT' : 'INTEGER' };
    case 'boolean':
      return { type: 'BOOLEAN' };
    case 'timestamp':
      if (t === 'date') return { type: 'DATE' };
      if (t.includes('without time zone') || t === 'timestamp') return { type: 'DATETIME' };
      return { type: 'DATETIME', warning: `"${declared}" is stored as ISO-8601 UTC text; the time zone of the original value is not kept` };
    case 'json':
      return { type: 'JSON' };
    case 'blob':
      return { type: 'BLOB' };
    case 'real':
      return { type: 'REAL' };
    case 'numeric':
      if (t === 'money') return { type: 'NUMERIC', warning: 'money is stored as NUMERIC; the currency format is not kept' };
      return { type: args ? `NUMERIC(${args.replace(/\s+/g, '')})` : 'NUMERIC' };
    case 'text':
      if (/^character varying\((\d+)\)$/.test(t)) return { type: `VARCHAR(${args})` };
      if (/^character\((\d+)\)$/.test(t)) return { type: `CHAR(${args})` };
      if (/^(text|character varying|character|varchar|char|name|citext)$/.test(t)) return { type: 'TEXT' };
      if (t === 'uuid') return { type: 'TEXT' };
      return { type: 'TEXT', warning: `type "${declared}" has no SQLite equivalent; stored as TEXT` };
  }
}

/** The type on the same engine family: unchanged. */
export function sameEngineType(column: ColumnInfo, to: DialectName): CastResult {
  return { type: column.declaredType.trim() || (to === 'postgres' ? 'text' : '') };
}

/** A default expression in the target's dialect, or `undefined` with a reason when it has no equivalent. */
export function translateDefault(
  expression: string,
  column: ColumnInfo,
  from: DialectName,
  to: DialectName,
): { sql?: string; warning?: string } {
  let e = expression.trim();
  while (/^\(.*\)$/s.test(e) && balanced(e.slice(1, -1))) e = e.slice(1, -1).trim();
  const toPg = to === 'postgres';
  const fromPg = from === 'postgres';
  if (fromPg === toPg) return { sql: expression };
  if (/^null$/i.test(e)) return { sql: 'NULL' };
  let castTo = '';
  if (fromPg) {
    if (/^nextval\(/i.test(e)) return {}; // the identity/autoincrement column covers it
    // ('now'::text)::date -> 'now' cast to date; 'x'::text -> 'x'.
    for (let m = /::([a-z_ ]+)(\[\])?(\(\d+(,\d+)?\))?$/i.exec(e); m; m = /::([a-z_ ]+)(\[\])?(\(\d+(,\d+)?\))?$/i.exec(e)) {
      if (!castTo) castTo = m[1]!.trim().toLowerCase();
      e = e.slice(0, m.index).trim();
      while (/^\(.*\)$/s.test(e) && balanced(e.slice(1, -1))) e = e.slice(1, -1).trim();
    }
  }
  const lower = e.toLowerCase();
  // 'now' (a Postgres input string evaluated at insert), now() AT TIME ZONE 'utc', timezone('utc', now()).
  if (
    fromPg &&
    (lower === "'now'" ||
      /^now\(\)(::date)?$/.test(lower) ||
      /^(now\(\)|current_timestamp) at time zone 'utc'$/.test(lower) ||
      /^timezone\('utc'::text, now\(\)\)$/.test(lower) ||
      /^timezone\('utc', now\(\)\)$/.test(lower))
  ) {
    return { sql: castTo === 'date' || /^date$/i.test(column.declaredType.trim()) ? 'CURRENT_DATE' : 'CURRENT_TIMESTAMP' };
  }
  if (!fromPg && /^strftime\s*\(\s*'%s'\s*,\s*'now'\s*\)$/.test(lower)) return { sql: 'floor(extract(epoch from now()))::bigint' };
  // Current time, in each engine's words.
  if (
    /^(current_timestamp|now\(\)|localtimestamp|transaction_timestamp\(\)|statement_timestamp\(\)|clock_timestamp\(\))$/.test(lower) ||
    /^datetime\s*\(\s*'now'\s*\)$/.test(lower) ||
    /^strftime\s*\(\s*'%y-%m-%d %h:%m:%s'\s*,\s*'now'\s*\)$/.test(lower)
  ) {
    return {
      sql: toPg ? (lower.startsWith('datetime') || lower.startsWith('strftime') ? 'now()' : 'CURRENT_TIMESTAMP') : 'CURRENT_TIMESTAMP',
    };
  }
  if (/^(current_date|date\s*\(\s*'now'\s*\))$/.test(lower)) return { sql: 'CURRENT_DATE' };
  if (/^(current_time|time\s*\(\s*'now'\s*\))$/.test(lower)) return { sql: 'CURRENT_TIME' };
  if (column.logicalType === 'boolean') {
    if (/^(1|'1'|true|'true'|'t')$/.test(lower)) return { sql: toPg ? 'true' : '1' };
    if (/^(0|'0'|false|'false'|'f')$/.test(lower)) return { sql: toPg ? 'false' : '0' };
  }
  if (/^[+-]?\d+(\.\d+)?([eE][+-]?\d+)?$/.test(e)) return { sql: e };
  if (/^'([^']|'')*'$/.test(e)) return { sql: e };
  if (/^x'[0-9a-f]*'$/i.test(e) && toPg) return { sql: `'\\x${e.slice(2, -1)}'::bytea` };
  if (/^'\\x[0-9a-f]*'$/i.test(e) && !toPg) return { sql: `X'${e.slice(3, -1)}'` };
  if (/^(true|false)$/.test(lower)) return { sql: toPg ? lower : lower === 'true' ? '1' : '0' };
  return {
    warning: `default ${expression} has no ${toPg ? 'Postgres' : 'SQLite'} equivalent and was left out; set it on the new table by hand`,
  };
}

function balanced(s: string): boolean {
  let depth = 0;
  for (const ch of s) {
    if (ch === '(') depth++;
    else if (ch === ')' && --depth < 0) return false;
  }
  return depth === 0;
}
