import { quoteLiteral, toStoredValue, type StoredValue, type TableInfo } from '@switchyard/core';
import type { RowImage } from '../_internal/row-images';

/**
 * Rows of one table that an outbox entry carries as the primary left them, rather than
 * as the secondary's statements: a drain builds those statements from the tables as they
 * are when it applies the entry, after every schema change before it. Either `text` (a
 * Postgres primary built the entry in the write's own statement: each value as the
 * server's text, read back by casting it to `types`) or `values` (core's stored values,
 * from the client).
 */
export interface CapturedRows {
  /** The primary's table. */
  table: string;
  /** The write deleted these rows (the columns are then at least the key). */
  deleted: boolean;
  columns: string[];
  /** The columns' types (`format_type`; a domain's base type), for `text`. */
  types?: string[];
  /** One array per row, in `columns` order; `null` for NULL. */
  text?: (string | null)[][];
  values?: StoredValue[][];
}

/** A column of the entry's table: its name, declared type, and how the write's CTE names it. */
export interface CapturedColumn {
  name: string;
  type: string;
  ref: string;
}

/**
 * The INSERT of an outbox entry whose rows the server takes from `cte` (a write's
 * `RETURNING` rows), for the same statement as the write. Its parameters, in order: the
 * operation id twice and its creation time twice. No entry when the write changed no row.
 */
export function capturedEntrySql(outbox: string, cte: string, source: TableInfo, columns: CapturedColumn[], deleted: boolean): string {
  const values = columns.map((c) => `${cte}.${c.ref}::text`).join(', ');
  const names = quoteLiteral(JSON.stringify(columns.map((c) => c.name)));
  const types = quoteLiteral(JSON.stringify(columns.map((c) => c.type)));
  const shape = `'table', ${quoteLiteral(source.name)}, 'deleted', ${deleted}, 'columns', ${names}::json, 'types', ${types}::json`;
  const captured = `json_build_array(json_build_object(${shape}, 'text', json_agg(ARRAY[${values}])))`;
  const payload = `json_build_object('v', 2, 'opId', ?::text, 'seq', 0, 'createdAt', ?::bigint, 'statements', '[]'::json, 'captured', ${captured})::text`;
  return `INSERT INTO ${outbox} (op_id, payload, created_at) SELECT ?, ${payload}, ?::bigint FROM ${cte} HAVING count(*) > 0`;
}

/**
 * Row images as an entry carries them: consecutive images of one table, all written or
 * all deleted, with the same columns, form one group.
 */
export function capturedImages(images: readonly RowImage[], tables: (name: string) => TableInfo): CapturedRows[] {
  const out: CapturedRows[] = [];
  let last: CapturedRows | undefined;
  for (const image of images) {
    const deleted = image.row === null;
    const row = image.row ?? image.key;
    const columns = deleted ? Object.keys(image.key) : tables(image.table).columns.map((c) => c.name);
    if (!last || last.table !== image.table || last.deleted !== deleted || !sameNames(last.columns, columns)) {
      out.push((last = { table: image.table, deleted, columns, values: [] }));
    }
    last.values!.push(columns.map((c) => toStoredValue(row[c] ?? null)));
  }
  return out;
}

/**
 * Adds `group` to `out`, joining it to the last group when that one has the same table,
 * kind (written or deleted) and columns, as `capturedImages` groups consecutive images.
 */
export function addCaptured(out: CapturedRows[], group: CapturedRows): void {
  const last = out.at(-1);
  if (
    last?.values &&
    group.values &&
    last.table === group.table &&
    last.deleted === group.deleted &&
    sameNames(last.columns, group.columns)
  ) {
    last.values.push(...group.values);
  } else out.push(group);
}

function sameNames(a: readonly string[], b: readonly string[]): boolean {
  return a.length === b.length && a.every((c, i) => c === b[i]);
}

/** The captured rows of a message, or `undefined` when it has none (or they are malformed). */
export function capturedOf(body: unknown): CapturedRows[] | undefined {
  const list = (body as { captured?: unknown } | null)?.captured;
  if (!Array.isArray(list) || list.length === 0) return undefined;
  const out: CapturedRows[] = [];
  for (const c of list as Partial<CapturedRows>[]) {
    if (!c || typeof c.table !== 'string' || !Array.isArray(c.columns)) return undefined;
    const rows: CapturedRows = { table: c.table, deleted: c.deleted === true, columns: c.columns };
    if (Array.isArray(c.text) && Array.isArray(c.types)) {
      rows.text = c.text;
      rows.types = c.types;
    } else if (Array.isArray(c.values)) rows.values = c.values;
    else return undefined;
    out.push(rows);
  }
  return out;
}
