import { logicalTypeOf } from './logical-type';
import { quoteIdentifier, quoteLiteral } from './sql-identifier';
import { SqlTokenizer } from './sql-tokenizer';
import { columnCollations, conflictClauses, deferredKeys } from './_internal/sqlite-table-text';
import type { ColumnInfo, ConflictClause, ForeignKeyInfo, IndexInfo, TableInfo } from './types';

interface TableListRow {
  name: string;
  sql: string | null;
}
interface ColumnRow {
  name: string;
  type: string;
  notnull: number | bigint;
  dflt_value: string | null;
  pk: number | bigint;
  /** 0 for an ordinary column, 1 for a virtual table's hidden one, 2 or 3 for a generated one (virtual, stored). */
  hidden: number | bigint;
}
interface IndexListRow {
  name: string;
  unique: number | bigint;
  origin: string;
  partial: number | bigint;
}
interface IndexColumnRow {
  name: string | null;
  seqno: number | bigint;
  /** `index_xinfo` only: 1 for a descending key column, and the collation it compares by. */
  desc?: number | bigint;
  coll?: string | null;
}
interface ForeignKeyRow {
  id: number | bigint;
  table: string;
  from: string;
  to: string | null;
  on_update: string;
  on_delete: string;
}

/**
 * Tables whose names mark them as the engine's own (SQLite, D1, Cloudflare).
 *
 * @example
 * ```ts
 * INTERNAL_TABLE.test('_cf_METADATA') // true
 * ```
 */
export const INTERNAL_TABLE = /^(sqlite_|_cf_|d1_)/i;

/**
 * Reads the schema of a SQLite database through its PRAGMAs. The same queries work on
 * D1, which is why the runner is a function of SQL rather than a better-sqlite3 handle:
 * the SQLite and D1 adapters both call it.
 *
 * @example
 * ```ts
 * const tables = await introspectSqlite(async (sql) => (await binding.prepare(sql).all()).results);
 * ```
 */
export async function introspectSqlite(run: <T>(sql: string) => Promise<T[]>): Promise<TableInfo[]> {
  const tables = await run<TableListRow>("SELECT name, sql FROM sqlite_master WHERE type = 'table' ORDER BY name");
  const out: TableInfo[] = [];
  for (const table of tables) {
    if (INTERNAL_TABLE.test(table.name)) continue;
    const q = quoteIdentifier(table.name);
    const withoutRowid = declaredWithoutRowid(table.sql);
    const [columns, indexList, foreignKeys] = await Promise.all([
      // table_xinfo, not table_info: it lists generated columns too, so they are compared.
      run<ColumnRow>(`PRAGMA table_xinfo(${q})`),
      run<IndexListRow>(`PRAGMA index_list(${q})`),
      run<ForeignKeyRow>(`PRAGMA foreign_key_list(${q})`),
    ]);
    const primaryKey = columns
      .filter((c) => Number(c.pk) > 0)
      .sort((a, b) => Number(a.pk) - Number(b.pk))
      .map((c) => c.name);
    const collations = table.sql && /collate/i.test(table.sql) ? columnCollations(table.sql) : undefined;
    const columnInfo: ColumnInfo[] = columns
      .filter((c) => Number(c.hidden) !== 1)
      .map((c) => {
        const isRowidAlias = !withoutRowid && primaryKey.length === 1 && primaryKey[0] === c.name && /^integer$/i.test(c.type.trim());
        return {
          name: c.name,
          declaredType: c.type,
          logicalType: logicalTypeOf(c.type, 'sqlite'),
          // A rowid alias can never hold NULL, whatever PRAGMA says.
          nullable: Number(c.notnull) === 0 && Number(c.pk) === 0,
          defaultValue: c.dflt_value,
          // An INTEGER PRIMARY KEY aliases the rowid: SQLite assigns it when none is given.
          autoIncrement: isRowidAlias,
          ...(Number(c.hidden) >= 2 ? { generated: true } : {}),
          ...(collations?.has(c.name.toLowerCase()) ? { collation: collations.get(c.name.toLowerCase())! } : {}),
        };
      });
    const indexes: IndexInfo[] = [];
    for (const index of indexList) {
      if (index.origin === 'pk') continue;
      const cols = (await indexColumns(run, index.name)).sort((a, b) => Number(a.seqno) - Number(b.seqno));
      // The index's own text holds what the pragmas do not: its predicate, its expression keys.
      const text = Number(index.partial) === 1 || cols.some((c) => c.name === null) ? await indexSql(run, index.name) : undefined;
      const where = Number(index.partial) === 1 && text ? indexPredicate(text) : undefined;
      const keys = text ? keyTerms(text) : [];
      const own = (name: string | null) => columnInfo.find((c) => c.name === name)?.collation ?? 'BINARY';
      const collations = cols.map((c) => (c.coll && c.name !== null && c.coll.toUpperCase() !== own(c.name) ? c.coll.toUpperCase() : null));
      indexes.push({
        name: index.name,
        // An expression key as its SQL (as Postgres reports one), so a translation can carry it.
        columns: cols.map((c, i) => c.name ?? expressionOf(keys[i]) ?? '<expression>'),
        unique: Number(index.unique) === 1,
        ...(where ? { where } : {}),
        ...(cols.some((c) => Number(c.desc) === 1) ? { descending: cols.map((c) => Number(c.desc) === 1) } : {}),
        ...(collations.some((c) => c !== null) ? { collations } : {}),
      });
    }
    out.push({
      name: table.name,
      columns: columnInfo,
      primaryKey,
      indexes: indexes.sort((a, b) => a.name.localeCompare(b.name)),
      foreignKeys: withDeferral(groupForeignKeys(foreignKeys), table.sql),
      ...(withoutRowid ? { withoutRowid } : {}),
      ...(declaresReplace(table.sql) ? { replacesOnConflict: true } : {}),
      ...declaredConflicts(table.sql, columnInfo),
    });
  }
  return out;
}

async function indexSql(run: <T>(sql: string) => Promise<T[]>, name: string): Promise<string | undefined> {
  const [row] = await run<{ sql: string | null }>(`SELECT sql FROM sqlite_master WHERE type = 'index' AND name = ${quoteLiteral(name)}`);
  return row?.sql ?? undefined;
}

/**
 * A partial index's predicate: the text after the `WHERE` of its `CREATE INDEX` that stands
 * outside every parenthesis (a column list or an expression key cannot hold one).
 */
function indexPredicate(sql: string): string | undefined {
  const tokens = new SqlTokenizer(sql);
  let depth = 0;
  while (tokens.next()) {
    if (tokens.kind === 'punct') depth += tokens.text === '(' ? 1 : tokens.text === ')' ? -1 : 0;
    else if (depth === 0 && tokens.kind === 'word' && tokens.text.toUpperCase() === 'WHERE')
      return sql.slice(tokens.end).trim() || undefined;
  }
  return undefined;
}

/** The terms of a `CREATE INDEX` text's key list, as written: the first parenthesis, split at its own commas. */
function keyTerms(sql: string): string[] {
  const tokens = new SqlTokenizer(sql);
  const terms: string[] = [];
  let depth = 0;
  let from = -1;
  while (tokens.next()) {
    if (tokens.kind !== 'punct') continue;
    if (tokens.text === '(' && ++depth === 1) from = tokens.end;
    else if (tokens.text === ')' && --depth === 0) return [...terms, sql.slice(from, tokens.start)];
    else if (tokens.text === ',' && depth === 1) {
      terms.push(sql.slice(from, tokens.start));
      from = tokens.end;
    }
  }
  return [];
}

/**
 * An expression key's SQL without the order written after it (`index_xinfo` reports that)
 * and without parentheses around all of it, as Postgres prints one: `((lower(a)))` is `lower(a)`.
 */
function expressionOf(term: string | undefined): string | undefined {
  let sql = term?.trim().replace(/\s+(?:ASC|DESC)$/i, '');
  while (sql?.startsWith('(')) {
    // One term whose closing parenthesis ends the text: the parentheses hold all of it.
    const inner = keyTerms(sql);
    if (inner.length !== 1 || inner[0]!.length !== sql.length - 2) break;
    sql = sql.slice(1, -1).trim();
  }
  return sql || undefined;
}

/**
 * Whether a table's `CREATE TABLE` text ends with the `WITHOUT ROWID` option: it comes after
 * the last closing parenthesis, where no column or constraint text can be.
 */
function declaredWithoutRowid(sql: string | null): boolean {
  return sql !== null && /\bwithout\s+rowid\b/i.test(sql.slice(sql.lastIndexOf(')') + 1));
}

/**
 * Whether a constraint in a table's `CREATE TABLE` text declares `ON CONFLICT REPLACE`. The
 * words are read as tokens, so a default or a CHECK that holds them as a string does not count
 * (a table definition has no upsert clause for them to belong to).
 */
function declaresReplace(sql: string | null): boolean {
  if (sql === null || !/replace/i.test(sql)) return false;
  const tokens = new SqlTokenizer(sql);
  const recent = ['', ''];
  while (tokens.next()) {
    const word = tokens.kind === 'word' ? tokens.text.toUpperCase() : '';
    if (word === 'REPLACE' && recent[0] === 'ON' && recent[1] === 'CONFLICT') return true;
    recent[0] = recent[1]!;
    recent[1] = word;
  }
  return false;
}

/**
 * An index's key columns with their order and collation (`PRAGMA index_xinfo`); where an
 * engine refuses that pragma, `index_info`'s columns, as the index's own defaults.
 */
async function indexColumns(run: <T>(sql: string) => Promise<T[]>, name: string): Promise<IndexColumnRow[]> {
  const q = quoteIdentifier(name);
  try {
    return (await run<IndexColumnRow & { key: number | bigint }>(`PRAGMA index_xinfo(${q})`)).filter((c) => Number(c.key) === 1);
  } catch {
    return run<IndexColumnRow>(`PRAGMA index_info(${q})`);
  }
}

/** The table's conflict clauses (see {@link conflictClauses}), their columns named as the table names them. */
function declaredConflicts(sql: string | null, columns: readonly ColumnInfo[]): { conflictClauses?: ConflictClause[] } {
  if (sql === null || !/conflict/i.test(sql)) return {};
  const named = new Map(columns.map((c) => [c.name.toLowerCase(), c.name]));
  const clauses = conflictClauses(sql)
    .map((c) => ({ ...c, columns: c.columns.map((n) => named.get(n.toLowerCase()) ?? n) }))
    .filter((c) => c.columns.every((n) => named.has(n.toLowerCase())));
  return clauses.length > 0 ? { conflictClauses: clauses } : {};
}

/** The keys with how their `CREATE TABLE` text defers them (see {@link deferredKeys}), matched by columns and table. */
function withDeferral(keys: ForeignKeyInfo[], sql: string | null): ForeignKeyInfo[] {
  if (sql === null || !/deferrable/i.test(sql)) return keys;
  const declared = deferredKeys(sql);
  const id = (columns: readonly string[], table: string) => JSON.stringify([columns.map((c) => c.toLowerCase()), table.toLowerCase()]);
  const how = new Map(declared.map((d) => [id(d.columns, d.table), d.deferrable]));
  return keys.map((k) => {
    const deferrable = how.get(id(k.columns, k.referencedTable));
    return deferrable ? { ...k, deferrable } : k;
  });
}

function groupForeignKeys(rows: ForeignKeyRow[]): ForeignKeyInfo[] {
  const byId = new Map<number, ForeignKeyInfo>();
  for (const row of rows) {
    const id = Number(row.id);
    let fk = byId.get(id);
    if (!fk) {
      fk = { columns: [], referencedTable: row.table, referencedColumns: [], onDelete: row.on_delete, onUpdate: row.on_update };
      byId.set(id, fk);
    }
    fk.columns.push(row.from);
    if (row.to) fk.referencedColumns.push(row.to);
  }
  return [...byId.values()];
}
