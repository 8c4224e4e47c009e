import { INTERNAL_TABLE, logicalTypeOf, type ColumnInfo, type ForeignKeyInfo, type IndexInfo, type TableInfo } from '@switchyard/core';

/**
 * Runs one catalog query with pg-native parameters (arrays bound as Postgres arrays).
 *
 * @example
 * ```ts
 * const run: CatalogQuery = async (sql, params) => (await client.query(sql, params)).rows;
 * ```
 */
export type CatalogQuery = <T>(sql: string, params: unknown[]) => Promise<T[]>;

interface TableRow {
  oid: number;
  schema: string;
  name: string;
}
interface ColumnRow {
  table_oid: number;
  name: string;
  declared_type: string;
  /** A domain's base type (through domains over domains), as format_type writes it; null for any other type. */
  base_type: string | null;
  not_null: boolean;
  default_value: string | null;
  identity: string;
  /** `s` for a stored generated column, empty otherwise. */
  generated: string;
  /** A collation other than the type's default, as `COLLATE` takes it; null otherwise. */
  collation: string | null;
}
interface IndexRow {
  table_oid: number;
  name: string;
  is_unique: boolean;
  is_primary: boolean;
  /** A partial index's WHERE, or null. */
  predicate: string | null;
  nulls_not_distinct: boolean;
  columns: string[];
  options: number[];
  collations: (string | null)[];
}
interface PartitionRow {
  table_oid: number;
  name: string;
  /** A partition; otherwise a table that inherits with `INHERITS`. */
  partition: boolean;
}
interface ForeignKeyRow {
  table_oid: number;
  columns: string[];
  ref_schema: string;
  ref_table: string;
  ref_columns: string[];
  on_update: string;
  on_delete: string;
  deferrable: boolean;
  deferred: boolean;
}

/** The engine's own table names, as `@switchyard/core` defines them (re-exported here for existing imports). */
export { INTERNAL_TABLE };

const FK_ACTIONS: Record<string, string> = {
  a: 'NO ACTION',
  r: 'RESTRICT',
  c: 'CASCADE',
  n: 'SET NULL',
  d: 'SET DEFAULT',
};

const TABLES_SQL = `
SELECT c.oid, n.nspname AS schema, c.relname AS name
FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
WHERE c.relkind IN ('r', 'p') AND NOT c.relispartition AND n.nspname = ANY($1::text[])
ORDER BY n.nspname, c.relname`;

/** A collation's name as `COLLATE` takes it: `"C"` for one Postgres ships, `public.ci` for a schema's own. */
const collationName = (oid: string) =>
  `(SELECT CASE WHEN cn.nspname = 'pg_catalog' THEN '' ELSE quote_ident(cn.nspname) || '.' END || quote_ident(co.collname) ` +
  `FROM pg_collation co JOIN pg_namespace cn ON cn.oid = co.collnamespace WHERE co.oid = ${oid})`;

// A domain over a domain is followed to the type at the bottom, which is what pg reads.
const baseTypeOf = (type: string) => `CASE WHEN ${type}.typtype = 'd' THEN (
    WITH RECURSIVE chain(oid, typmod, depth) AS (
      SELECT ${type}.typbasetype, ${type}.typtypmod, 1
      UNION ALL SELECT b.typbasetype, b.typtypmod, c.depth + 1 FROM chain c JOIN pg_type b ON b.oid = c.oid WHERE b.typtype = 'd'
    ) SELECT format_type(oid, typmod) FROM chain ORDER BY depth DESC LIMIT 1) END`;

const COLUMNS_SQL = `
SELECT a.attrelid AS table_oid, a.attname AS name, format_type(a.atttypid, a.atttypmod) AS declared_type,
  ${baseTypeOf('t')} AS base_type,
  a.attnotnull AS not_null, pg_get_expr(d.adbin, d.adrelid) AS default_value, a.attidentity::text AS identity,
  a.attgenerated::text AS generated,
  CASE WHEN a.attcollation <> 0 AND a.attcollation <> t.typcollation THEN ${collationName('a.attcollation')} END AS collation
FROM pg_attribute a LEFT JOIN pg_attrdef d ON d.adrelid = a.attrelid AND d.adnum = a.attnum
  JOIN pg_type t ON t.oid = a.atttypid
WHERE a.attrelid = ANY($1::oid[]) AND a.attnum > 0 AND NOT a.attisdropped
ORDER BY a.attrelid, a.attnum`;

// Key columns in index order; expression keys come back as their expression text.
const INDEXES_SQL = `
SELECT i.indrelid AS table_oid, ic.relname AS name, i.indisunique AS is_unique, i.indisprimary AS is_primary,
  pg_get_expr(i.indpred, i.indrelid) AS predicate,
  -- indnullsnotdistinct arrived in Postgres 15: read through JSON, older servers answer NULL.
  COALESCE((to_jsonb(i) ->> 'indnullsnotdistinct')::boolean, false) AS nulls_not_distinct,
  ARRAY(
    SELECT CASE WHEN k.attnum = 0 THEN pg_get_indexdef(i.indexrelid, k.ord::int, true) ELSE a.attname::text END
    FROM unnest(i.indkey::int2[]) WITH ORDINALITY AS k(attnum, ord)
    LEFT JOIN pg_attribute a ON a.attrelid = i.indrelid AND a.attnum = k.attnum
    WHERE k.ord <= i.indnkeyatts
    ORDER BY k.ord
  )::text[] AS columns,
  -- Each key column's options: bit 1 DESC, bit 2 NULLS FIRST.
  ARRAY(
    SELECT k.opt FROM unnest(i.indoption::int2[]) WITH ORDINALITY AS k(opt, ord) WHERE k.ord <= i.indnkeyatts ORDER BY k.ord
  )::int[] AS options,
  -- The collation each key column is compared by where it is not the column's own.
  ARRAY(
    SELECT CASE WHEN k.coll <> 0 AND k.coll <> a.attcollation THEN ${collationName('k.coll')} END
    FROM unnest(i.indkey::int2[], i.indcollation::oid[]) WITH ORDINALITY AS k(attnum, coll, ord)
    LEFT JOIN pg_attribute a ON a.attrelid = i.indrelid AND a.attnum = k.attnum AND k.attnum > 0
    WHERE k.ord <= i.indnkeyatts
    ORDER BY k.ord
  )::text[] AS collations
FROM pg_index i JOIN pg_class ic ON ic.oid = i.indexrelid
WHERE i.indrelid = ANY($1::oid[])
ORDER BY ic.relname`;

const FOREIGN_KEYS_SQL = `
SELECT con.conrelid AS table_oid,
  ARRAY(SELECT a.attname::text FROM unnest(con.conkey) WITH ORDINALITY k(attnum, ord)
        JOIN pg_attribute a ON a.attrelid = con.conrelid AND a.attnum = k.attnum ORDER BY k.ord)::text[] AS columns,
  fn.nspname AS ref_schema, fc.relname AS ref_table,
  ARRAY(SELECT a.attname::text FROM unnest(con.confkey) WITH ORDINALITY k(attnum, ord)
        JOIN pg_attribute a ON a.attrelid = con.confrelid AND a.attnum = k.attnum ORDER BY k.ord)::text[] AS ref_columns,
  con.confupdtype::text AS on_update, con.confdeltype::text AS on_delete,
  con.condeferrable AS deferrable, con.condeferred AS deferred
FROM pg_constraint con
JOIN pg_class fc ON fc.oid = con.confrelid
JOIN pg_namespace fn ON fn.oid = fc.relnamespace
WHERE con.contype = 'f' AND con.conrelid = ANY($1::oid[])
ORDER BY con.conname`;

// Every level of a partitioned table's partitions, or of the tables that inherit a table
// with INHERITS, with the table at the top (pg_inherits: Postgres 10 on).
const PARTITIONS_SQL = `
WITH RECURSIVE tree(table_oid, oid) AS (
  SELECT i.inhparent, i.inhrelid FROM pg_inherits i WHERE i.inhparent = ANY($1::oid[])
  UNION ALL SELECT t.table_oid, i.inhrelid FROM pg_inherits i JOIN tree t ON i.inhparent = t.oid
)
SELECT t.table_oid, c.relname AS name, c.relispartition AS partition
FROM tree t JOIN pg_class c ON c.oid = t.oid WHERE c.relkind IN ('r', 'p', 'f') ORDER BY 2`;

/**
 * Reads the tables of the given schemas from the system catalogs: columns with their
 * declared type (`format_type`), logical type, nullability, default and whether the
 * engine generates them (serial or identity) or computes them (`generated`); primary key in key order; indexes other
 * than the primary key's own; foreign keys. pg_catalog, information_schema and tables
 * named like `sqlite_%`, `_cf_%` or `d1_%` are left out.
 *
 * @example
 * ```ts
 * const tables = await introspectPostgres((sql, params) => client.query(sql, params).then((r) => r.rows), ['public']);
 * ```
 */
export async function introspectPostgres(run: CatalogQuery, schemas: readonly string[]): Promise<TableInfo[]> {
  const wanted = schemas.filter((s) => s !== 'pg_catalog' && s !== 'information_schema');
  const tables = (await run<TableRow>(TABLES_SQL, [wanted])).filter((t) => !INTERNAL_TABLE.test(t.name));
  if (tables.length === 0) return [];
  const oids = tables.map((t) => t.oid);
  const [columns, indexes, foreignKeys, partitions] = await Promise.all([
    run<ColumnRow>(COLUMNS_SQL, [oids]),
    run<IndexRow>(INDEXES_SQL, [oids]),
    run<ForeignKeyRow>(FOREIGN_KEYS_SQL, [oids]),
    run<PartitionRow>(PARTITIONS_SQL, [oids]),
  ]);
  return tables.map((table) => {
    const primary = indexes.find((i) => i.table_oid === table.oid && i.is_primary);
    const primaryKey = primary?.columns ?? [];
    const parts = partitions.filter((p) => p.table_oid === table.oid && p.partition).map((p) => p.name);
    const heirs = partitions.filter((p) => p.table_oid === table.oid && !p.partition).map((p) => p.name);
    return {
      name: table.name,
      schema: table.schema,
      columns: columns.filter((c) => c.table_oid === table.oid).map((c) => toColumn(c, primaryKey)),
      primaryKey,
      indexes: indexes
        .filter((i) => i.table_oid === table.oid && !i.is_primary)
        .map((i): IndexInfo => ({
          name: i.name,
          columns: i.columns,
          unique: i.is_unique,
          ...(i.predicate ? { where: i.predicate } : {}),
          ...keyOrder(i.options),
          ...(i.collations.some((c) => c !== null) ? { collations: i.collations } : {}),
          ...(i.nulls_not_distinct ? { nullsNotDistinct: true as const } : {}),
        })),
      foreignKeys: foreignKeys
        .filter((f) => f.table_oid === table.oid)
        .map((f): ForeignKeyInfo => ({
          columns: f.columns,
          // Qualified only when the referenced table lives in another schema.
          referencedTable: f.ref_schema === table.schema ? f.ref_table : `${f.ref_schema}.${f.ref_table}`,
          referencedColumns: f.ref_columns,
          onDelete: FK_ACTIONS[f.on_delete] ?? f.on_delete,
          onUpdate: FK_ACTIONS[f.on_update] ?? f.on_update,
          ...(f.deferrable ? { deferrable: f.deferred ? 'deferred' : 'immediate' } : {}),
        })),
      // Only where it has some, so other tables read as before.
      ...(parts.length > 0 ? { partitions: parts } : {}),
      ...(heirs.length > 0 ? { inheritedBy: heirs } : {}),
    };
  });
}

function toColumn(row: ColumnRow, primaryKey: readonly string[]): ColumnInfo {
  const serial = row.default_value !== null && /^nextval\(/i.test(row.default_value);
  return {
    name: row.name,
    declaredType: row.declared_type,
    // Only for a domain, so other columns read as before.
    ...(row.base_type ? { baseType: row.base_type } : {}),
    logicalType: logicalTypeOf(row.base_type ?? row.declared_type, 'postgres'),
    nullable: !row.not_null && !primaryKey.includes(row.name),
    defaultValue: row.default_value,
    autoIncrement: serial || row.identity === 'a' || row.identity === 'd',
    // Only where true, so tables without one read as before.
    ...(row.generated ? { generated: true } : {}),
    ...(row.collation ? { collation: row.collation } : {}),
  };
}

/**
 * An index's `descending`, and its `nullsFirst` where a column does not sort NULLs as its
 * direction does by default (last ascending, first descending), from `pg_index.indoption`.
 */
function keyOrder(options: readonly number[]): Pick<IndexInfo, 'descending' | 'nullsFirst'> {
  const descending = options.map((o) => (o & 1) === 1);
  const nullsFirst = options.map((o) => (o & 2) === 2);
  return {
    ...(descending.some(Boolean) ? { descending } : {}),
    ...(nullsFirst.some((first, k) => first !== descending[k]) ? { nullsFirst } : {}),
  };
}
