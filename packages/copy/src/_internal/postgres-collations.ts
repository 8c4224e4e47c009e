import { quoteLiteral, type DatabaseAdapter } from '@switchyard/core';

/** A collation of the schema's own (not one Postgres ships), as a column names it. */
export interface SchemaCollation {
  /** As `ColumnInfo.collation` holds it: `public.case_insensitive`. */
  name: string;
  /** `false` for a collation that takes different strings for equal (case-insensitive, say). */
  deterministic: boolean;
  /** The `CREATE COLLATION IF NOT EXISTS` that makes it on another Postgres. */
  sql: string;
}

// pg_collation's columns differ by version (colliculocale in 15 and 16, colllocale from 17,
// collicurules from 16): read as JSON, each field is there or not.
interface CollationRow {
  collprovider: string;
  collisdeterministic?: boolean;
  collcollate?: string | null;
  collctype?: string | null;
  colllocale?: string | null;
  colliculocale?: string | null;
  collicurules?: string | null;
}

/**
 * The collations of the schema's own that its tables' columns and indexes use, each with the statement
 * that creates it on a Postgres target, where `COLLATE` would otherwise name nothing.
 */
export async function schemaCollations(adapter: DatabaseAdapter, namespace: string): Promise<SchemaCollation[]> {
  const rows = await adapter.query<{ name: string; def: CollationRow | string }>(
    `WITH used AS (` +
      `SELECT a.attcollation AS oid FROM pg_attribute a JOIN pg_class c ON c.oid = a.attrelid ` +
      `WHERE c.relkind IN ('r', 'p') AND c.relnamespace = ${namespace} AND a.attnum > 0 AND NOT a.attisdropped ` +
      `UNION SELECT unnest(i.indcollation::oid[]) FROM pg_index i JOIN pg_class c ON c.oid = i.indrelid WHERE c.relnamespace = ${namespace}) ` +
      `SELECT quote_ident(cn.nspname) || '.' || quote_ident(co.collname) AS name, to_jsonb(co) AS def ` +
      `FROM used JOIN pg_collation co ON co.oid = used.oid JOIN pg_namespace cn ON cn.oid = co.collnamespace ` +
      `WHERE cn.nspname <> 'pg_catalog' ORDER BY 1`,
  );
  return rows.map(({ name, def }) => {
    const row: CollationRow = typeof def === 'string' ? JSON.parse(def) : def;
    const deterministic = row.collisdeterministic !== false;
    const settings =
      row.collprovider === 'i'
        ? [`provider = icu`, `locale = ${quoteLiteral(row.colllocale ?? row.colliculocale ?? '')}`]
        : row.collprovider === 'b'
          ? [`provider = builtin`, `locale = ${quoteLiteral(row.colllocale ?? '')}`]
          : [`provider = libc`, `lc_collate = ${quoteLiteral(row.collcollate ?? '')}`, `lc_ctype = ${quoteLiteral(row.collctype ?? '')}`];
    if (row.collicurules) settings.push(`rules = ${quoteLiteral(row.collicurules)}`);
    if (!deterministic) settings.push('deterministic = false');
    return { name, deterministic, sql: `CREATE COLLATION IF NOT EXISTS ${name} (${settings.join(', ')})` };
  });
}
