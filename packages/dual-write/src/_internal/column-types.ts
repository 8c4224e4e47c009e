import { withoutLeadingComments, type DatabaseAdapter, type LogicalType, type TableInfo } from '@switchyard/core';
import { BoundedCache } from './bounded-cache';
import type { TableCatalog } from './table-catalog';
import { parseWriteCached } from './write-parse';

export type ColumnTypes = Record<string, LogicalType>;

// When the sides disagree, the more specific type wins: a Postgres boolean beside a
// SQLite INTEGER is a boolean, a timestamptz beside TEXT is a timestamp.
const RANK: Record<LogicalType, number> = {
  text: 0,
  real: 1,
  integer: 2,
  numeric: 3,
  blob: 4,
  json: 5,
  timestamp: 6,
  boolean: 7,
};

/** The type two sides' declarations agree on. */
export function mergeTypes(a: LogicalType | undefined, b: LogicalType | undefined): LogicalType {
  if (!a) return b ?? 'text';
  if (!b) return a;
  return RANK[a] >= RANK[b] ? a : b;
}

/**
 * Column types of both sides, read once with `introspect()` and merged per table.
 * Schema statements passing through the adapter invalidate it; a table not found is
 * looked up again once, in case it was created behind the adapter's back.
 */
export class ColumnTypeCache {
  readonly #sides: () => readonly DatabaseAdapter[];
  readonly #catalog: TableCatalog | undefined;
  #tables: Promise<Map<string, ColumnTypes>> | undefined;
  /** What `#tables` resolved to, while it is the current read. */
  #loaded: Map<string, ColumnTypes> | undefined;
  #retried = new Set<string>();

  /** With a `catalog`, the sides' tables are the ones it read: the schema is read once for both. */
  constructor(sides: () => readonly DatabaseAdapter[], catalog?: TableCatalog) {
    this.#sides = sides;
    this.#catalog = catalog;
  }

  invalidate(): void {
    this.#tables = undefined;
    this.#loaded = undefined;
    this.#retried.clear();
  }

  /** Column types of a table, or `undefined` when neither side has it. */
  async table(name: string | undefined): Promise<ColumnTypes | undefined> {
    if (!name) return undefined;
    const key = name.toLowerCase();
    let found = (await this.#load()).get(key);
    if (!found && !this.#retried.has(key)) {
      this.#retried.add(key);
      // The catalog reads a side again when it lacks the table (once per name).
      if (this.#catalog) await Promise.all(this.#sides().map((side) => this.#catalog!.table(side, name).catch(() => undefined)));
      this.#tables = undefined;
      this.#loaded = undefined;
      found = (await this.#load()).get(key);
    }
    return found;
  }

  /** {@link table} without waiting: the types when both sides' tables are read already and hold it. */
  peek(name: string): ColumnTypes | undefined {
    return this.#loaded?.get(name.toLowerCase());
  }

  /** The type of a column found by name in any table, when the statement's table is unknown. */
  async column(name: string): Promise<LogicalType | undefined> {
    const key = name.toLowerCase();
    for (const types of (await this.#load()).values()) {
      if (types[key]) return types[key];
    }
    return undefined;
  }

  #load(): Promise<Map<string, ColumnTypes>> {
    if (this.#tables) return this.#tables;
    const read = Promise.all(this.#sides().map((s) => (this.#catalog ? this.#catalog.all(s) : s.introspect()))).then(
      (sides) => {
        const merged = merge(sides);
        if (this.#tables === read) this.#loaded = merged;
        return merged;
      },
      (error) => {
        if (this.#tables === read) this.#tables = undefined;
        throw error;
      },
    );
    this.#loaded = undefined;
    this.#tables = read;
    return read;
  }
}

function merge(sides: (readonly TableInfo[])[]): Map<string, ColumnTypes> {
  const out = new Map<string, ColumnTypes>();
  for (const tables of sides) {
    for (const table of tables) {
      const key = table.name.toLowerCase();
      const types = out.get(key) ?? {};
      for (const column of table.columns) {
        const name = column.name.toLowerCase();
        types[name] = mergeTypes(types[name], column.logicalType);
      }
      out.set(key, types);
    }
  }
  return out;
}

/**
 * A logical type guessed from the two values themselves, for a column found in no
 * table: a boolean on either side makes it boolean, a Date a timestamp, and so on.
 */
export function guessType(a: unknown, b: unknown): LogicalType {
  const values = [a, b].filter((v) => v !== null && v !== undefined);
  const any = (test: (v: unknown) => boolean) => values.some(test);
  if (any((v) => typeof v === 'boolean')) return 'boolean';
  if (any((v) => v instanceof Date)) return 'timestamp';
  if (any((v) => v instanceof Uint8Array || v instanceof ArrayBuffer)) return 'blob';
  if (any((v) => typeof v === 'object')) return 'json';
  if (any((v) => typeof v === 'bigint')) return 'integer';
  const integral = (v: unknown) => (typeof v === 'number' && Number.isInteger(v)) || (typeof v === 'string' && /^-?\d+$/.test(v));
  if (values.length > 0 && values.every(integral)) return values.some((v) => typeof v === 'number') ? 'integer' : 'text';
  if (values.length > 0 && values.every((v) => typeof v === 'number')) return 'real';
  if (any((v) => typeof v === 'number')) return 'numeric';
  return 'text';
}

const NAME = String.raw`((?:"[^"]+"|\x60[^\x60]+\x60|\[[^\]]+\]|[\w$]+)(?:\s*\.\s*(?:"[^"]+"|\x60[^\x60]+\x60|[\w$]+))?)`;
const WRITE_TABLE = new RegExp(
  // Postgres's ONLY (leave out the tables that inherit it) is no name.
  String.raw`^\s*(?:insert\s+(?:or\s+\w+\s+)?into|replace\s+into|(?:update(?:\s+or\s+\w+)?|delete\s+from)(?:\s+only(?=\s+[^\s(]))?)\s+` +
    NAME,
  'i',
);
const LEADING_WITH = /^\s*with\b/i;
const READ_TABLE = new RegExp(String.raw`\bfrom\s+` + NAME, 'i');

/** The text from its first keyword: a leading comment must not hide the statement from the patterns below. */
function body(sql: string): string {
  return sql.startsWith('/') || sql.startsWith('-') || /^\s/.test(sql) ? withoutLeadingComments(sql) : sql;
}

/** Texts seen before, and the table each writes: every write asks, and a lookup costs less than the pattern. */
const writeTables = new BoundedCache<string, string | null>(2000);

/** The table a write statement targets, unquoted and without its schema. */
export function writeTable(sql: string): string | undefined {
  let table = writeTables.get(sql);
  // After a `WITH …` list the statement proper is found by reading the text, not by a pattern.
  if (table === undefined)
    writeTables.set(
      sql,
      (table = bare(WRITE_TABLE.exec(body(sql))?.[1]) ?? (LEADING_WITH.test(body(sql)) ? parseWriteCached(sql)?.table : null) ?? null),
    );
  return table ?? undefined;
}

const TABLE_DDL = new RegExp(
  String.raw`^\s*(?:create|alter|drop)\s+(?:(?:temp|temporary|unlogged)\s+)?table\s+(?:if\s+(?:not\s+)?exists\s+)?(?:only\s+)?` + NAME,
  'i',
);
const INDEX_DDL = new RegExp(String.raw`^\s*create\s+(?:unique\s+)?index\b[\s\S]*?\bon\s+(?:only\s+)?` + NAME, 'i');

/** The table a `CREATE`/`ALTER`/`DROP TABLE` or `CREATE INDEX` statement concerns, unquoted and without its schema. */
export function ddlTable(sql: string): string | undefined {
  const text = body(sql);
  return bare((TABLE_DDL.exec(text) ?? INDEX_DDL.exec(text))?.[1]);
}

/** The first table a read names after FROM. */
export function readTable(sql: string): string | undefined {
  return bare(READ_TABLE.exec(sql)?.[1]);
}

function bare(name: string | undefined): string | undefined {
  if (!name) return undefined;
  const last = name.split('.').pop()!.trim();
  return last.replace(/^["`[]|["`\]]$/g, '');
}
