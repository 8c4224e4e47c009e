import type { ColumnInfo, DialectName, LogicalType } from './types';

/**
 * The logical type of a column from its declared type. SQLite and D1 follow SQLite's
 * affinity rules, refined by the names people give columns (`BOOLEAN`, `DATETIME`,
 * `JSON`), since those names are the only record of what the column holds.
 *
 * @example
 * ```ts
 * logicalTypeOf('timestamp with time zone', 'postgres') // 'timestamp'
 * logicalTypeOf('DATETIME', 'sqlite')                  // 'timestamp'
 * ```
 */
export function logicalTypeOf(declaredType: string, dialect: DialectName): LogicalType {
  const t = declaredType.trim().toLowerCase();
  return dialect === 'postgres' ? postgresType(t) : sqliteType(t);
}

function postgresType(t: string): LogicalType {
  if (t.endsWith('[]') || t === 'array') return 'json';
  if (/^(smallint|integer|bigint|int[248]?|smallserial|serial[248]?|bigserial|oid)$/.test(t)) return 'integer';
  if (t === 'boolean' || t === 'bool') return 'boolean';
  if (t.startsWith('timestamp') || t === 'date' || t === 'timestamptz') return 'timestamp';
  if (t === 'json' || t === 'jsonb') return 'json';
  if (t === 'bytea') return 'blob';
  if (t.startsWith('numeric') || t.startsWith('decimal') || t === 'money') return 'numeric';
  if (t === 'real' || t === 'double precision' || t === 'float4' || t === 'float8' || t.startsWith('float')) return 'real';
  return 'text';
}

function sqliteType(t: string): LogicalType {
  if (t === '') return 'text';
  if (/^bool/.test(t)) return 'boolean';
  if (/(datetime|timestamp)/.test(t) || t === 'date') return 'timestamp';
  if (/^jsonb?$/.test(t)) return 'json';
  // Numeric affinity in SQLite, but what such a column holds is text.
  if (t === 'uuid' || t === 'guid') return 'text';
  // SQLite affinity rules, in SQLite's order.
  if (t.includes('int')) return 'integer';
  if (t.includes('char') || t.includes('clob') || t.includes('text')) return 'text';
  if (t.includes('blob') || t === 'bytea') return 'blob';
  if (t.includes('real') || t.includes('floa') || t.includes('doub')) return 'real';
  if (t.includes('numeric') || t.includes('decimal')) return 'numeric';
  return 'numeric';
}

/**
 * The type a column's values are stored and read as: a Postgres domain's base type, else the
 * declared type, trimmed. Rules that depend on what the engine holds (a numeric's scale, a
 * JSON document's text, an array) read this rather than `declaredType`, which for a domain
 * is only its name.
 *
 * @example
 * ```ts
 * storedTypeOf({ declaredType: 'payload', baseType: 'jsonb' }); // 'jsonb'
 * storedTypeOf({ declaredType: ' TEXT ' });                      // 'TEXT'
 * ```
 */
export function storedTypeOf(column: Pick<ColumnInfo, 'declaredType' | 'baseType'>): string {
  return (column.baseType ?? column.declaredType).trim();
}

/**
 * `'json'` or `'jsonb'` for a Postgres column that holds one JSON document (declared so, or a
 * domain over one; not an array of them), else `undefined`.
 *
 * @example
 * ```ts
 * jsonDocumentKind({ declaredType: 'JSONB' });   // 'jsonb'
 * jsonDocumentKind({ declaredType: 'jsonb[]' }); // undefined
 * ```
 */
export function jsonDocumentKind(column: Pick<ColumnInfo, 'declaredType' | 'baseType'>): 'json' | 'jsonb' | undefined {
  const type = storedTypeOf(column).toLowerCase();
  return type === 'json' || type === 'jsonb' ? type : undefined;
}

/**
 * `'json'` or `'jsonb'` for a Postgres array of JSON documents (`jsonb[]`, or a domain over
 * one), else `undefined`. pg parses each element, which loses what the array holds just as
 * it does for one document, so copies, dual write and validation keep its literal instead.
 *
 * @example
 * ```ts
 * jsonArrayKind({ declaredType: 'jsonb[]' }); // 'jsonb'
 * jsonArrayKind({ declaredType: 'jsonb' });   // undefined
 * ```
 */
export function jsonArrayKind(column: Pick<ColumnInfo, 'declaredType' | 'baseType'>): 'json' | 'jsonb' | undefined {
  const m = /^(jsonb?)\s*(?:\[\d*\]\s*)+$/i.exec(storedTypeOf(column));
  return m ? (m[1]!.toLowerCase() as 'json' | 'jsonb') : undefined;
}

/**
 * Whether a Postgres column is a `timestamp` without time zone (a domain over one too), which
 * drops an offset written in its input and keeps the wall time: `'10:00+02:00'` is stored as 10:00.
 *
 * @example
 * ```ts
 * isZonelessTimestamp({ declaredType: 'timestamp(3) without time zone' }); // true
 * isZonelessTimestamp({ declaredType: 'timestamp with time zone' });       // false
 * ```
 */
export function isZonelessTimestamp(column: Pick<ColumnInfo, 'declaredType' | 'baseType'>): boolean {
  return /^timestamp(\s*\(\d+\))?(\s+without time zone)?$/i.test(storedTypeOf(column));
}
