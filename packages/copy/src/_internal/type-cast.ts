import { storedTypeOf, type ColumnInfo, type DialectName } from '@switchyard/core';

/** A translated column type, or why it could not be translated exactly. */
export interface CastResult {
  type: string;
  /** Set when the type was approximated: the value survives, some meaning does not. */
  warning?: string;
  /** A length in characters the target type does not enforce: the column gets a CHECK on it. */
  maxLength?: number;
}

// SQLite keeps a declared length or precision as text only: the column holds whatever was
// written. Postgres would refuse (or round) those rows in the copy, and later the writes the
// app makes on the SQLite primary during dual write. So, as pgloader does, the size is dropped.
function unenforced(declared: string, type: string): CastResult {
  return {
    type,
    warning:
      `SQLite does not enforce the size of "${declared}", so its rows may exceed it; created as ${type} so they copy and the app's ` +
      `writes land as they do on SQLite. Add the size back (ALTER COLUMN … TYPE) once the data and the app keep to it`,
  };
}

/**
 * SQLite/D1 declared type -> Postgres, following pgloader's default casting rules:
 * integers to bigint (SQLite integers are 64-bit), real to double precision, blob to
 * bytea, datetime/timestamp to timestamptz, boolean to boolean, json to jsonb; declared
 * lengths and precisions, which SQLite never enforced, dropped with a warning.
 */
export function sqliteToPostgresType(column: ColumnInfo): CastResult {
  const declared = column.declaredType.trim();
  const t = declared.toLowerCase();
  const args = /\(([^)]*)\)/.exec(t)?.[1];
  if (t === '') return { type: 'text', warning: 'the column has no declared type (it may hold any value); created as text' };
  if (t === 'uuid' || t === 'guid') return { type: 'uuid' };
  // NUMERIC or INTEGER ('INTERVAL') affinity by SQLite's rules, but what such a column holds is
  // text ('10:00:00', Rails's '2000-01-01 10:00:00'), which a number refuses and a Postgres time rewrites.
  if (/^(time|timetz|interval)\b/.test(t))
    return {
      type: 'text',
      warning: `"${declared}" holds text in SQLite ('10:00:00'); created as text, which keeps it as written. Give it ${t.startsWith('interval') ? 'interval' : 'time'} (columnTypes) once every value reads as one`,
    };
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
      if (/^(numeric|decimal)/.test(t)) return args ? unenforced(declared, 'numeric') : { type: 'numeric' };
      return { type: 'numeric', warning: `declared type "${declared}" has numeric affinity in SQLite; created as numeric` };
    case 'text':
      if (/^(varchar|character varying|nvarchar|varying character|char|character|nchar|native character)\b/.test(t) && args)
        return unenforced(declared, 'text');
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
  // A domain by the type it is built on, which is what its values are.
  const declared = storedTypeOf(column);
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
      if (!args) return { type: 'NUMERIC' };
      return {
        type: `NUMERIC(${args.replace(/\s+/g, '')})`,
        // Postgres rounds to the scale and refuses past the precision; SQLite keeps what is written.
        warning:
          `SQLite neither rounds to the scale of "${declared}" nor refuses a value past its precision: after a switch, a value the app ` +
          `writes with more decimals is kept on SQLite and rounded on Postgres. Round in the app before the switch, or store integer cents`,
      };
    case 'text':
      // SQLite would take a longer value, which the Postgres side refuses once it is the secondary.
      if (/^character varying\((\d+)\)$/.test(t)) return { type: `VARCHAR(${args})`, maxLength: Number(args) };
      if (/^character\((\d+)\)$/.test(t)) return { type: `CHAR(${args})`, maxLength: Number(args) };
      if (/^(text|character varying|character|varchar|char|name|citext)$/.test(t)) return { type: 'TEXT' };
      if (t === 'uuid') return { type: 'TEXT' };
      return { type: 'TEXT', warning: `type "${declared}" has no SQLite equivalent; stored as TEXT` };
  }
}

/** The type on the same engine family: unchanged. */
export function sameEngineType(column: ColumnInfo, to: DialectName): CastResult {
  return { type: column.declaredType.trim() || (to === 'postgres' ? 'text' : '') };
}
