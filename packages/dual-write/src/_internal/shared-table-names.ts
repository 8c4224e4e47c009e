import type { DatabaseAdapter, TableInfo } from '@switchyard/core';

/** Postgres: the schemas an unqualified name is looked up in, in order (the session's `search_path`). */
const SEARCH_PATH = 'SELECT s AS schema FROM unnest(current_schemas(false)) WITH ORDINALITY AS p(s, n) ORDER BY n';

/** A side's tables by name, and the names that several tables share. */
export interface TablesByName {
  /** By name in lower case; a shared name's tables also by their own name, as written. */
  tables: Map<string, TableInfo>;
  /** A shared name (in lower case) and the tables holding it, schema-qualified. */
  shared: Map<string, string[]>;
}

/**
 * Rows travel between the sides named by their table's name alone, in any case, so a name
 * that several tables share (a Postgres adapter reading `schema: ['public', 'tenant_a']`,
 * each with an `orders`; or Postgres's `"Orders"` beside `orders`) cannot say which one a
 * row belongs to. Looked up, such a name gives the table of exactly that name if there is
 * one, else the one Postgres finds first on the `search_path` (as an unqualified statement
 * would); `shared` lists it, so writes to it are not captured as rows (see `sharedNameReason`).
 */
export async function tablesByName(list: TableInfo[], via: DatabaseAdapter): Promise<TablesByName> {
  const groups = new Map<string, TableInfo[]>();
  for (const t of list) {
    const key = t.name.toLowerCase();
    groups.set(key, [...(groups.get(key) ?? []), t]);
  }
  const shared = new Map<string, string[]>();
  for (const [key, group] of groups) {
    if (group.length > 1)
      shared.set(
        key,
        group.map((t) => `${t.schema ?? ''}.${t.name}`),
      );
  }
  const path = shared.size > 0 ? (await via.query<{ schema: string }>(SEARCH_PATH)).map((r) => r.schema) : [];
  const rank = (t: TableInfo) => {
    const at = path.indexOf(t.schema ?? '');
    return (at < 0 ? path.length : at) * 2 + (t.name === t.name.toLowerCase() ? 0 : 1);
  };
  const tables = new Map<string, TableInfo>();
  for (const [key, group] of groups) {
    tables.set(
      key,
      group.reduce((a, b) => (rank(b) < rank(a) ? b : a)),
    );
    if (group.length > 1) for (const t of group) if (t.name !== key && !tables.has(t.name)) tables.set(t.name, t);
  }
  // A Postgres partition's name finds its partitioned table: its rows are that table's rows.
  for (const table of list) for (const p of table.partitions ?? []) if (!tables.has(p.toLowerCase())) tables.set(p.toLowerCase(), table);
  return { tables, shared };
}

/** Why a write to a table whose name other tables share (another schema's, or one differing in case) is replicated as its statement. */
export function sharedNameReason(name: string, tables: readonly string[]): string {
  return (
    `the tables ${tables.join(', ')} share the name ${name}: rows are named by table name, so writes to any ` +
    'of them are replicated as statements (rename one, or give the adapters one schema each)'
  );
}
