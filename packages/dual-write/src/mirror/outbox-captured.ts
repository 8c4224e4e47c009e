import {
  InvalidArgumentError,
  QueryError,
  quoteIdentifier as quote,
  statementKind,
  type DatabaseAdapter,
  type Row,
  type TableInfo,
} from '@switchyard/core';
import { dedupeRefs, imageStatements, imagesOf, refOf, type RowImage, type TablePair } from '../_internal/row-images';
import type { TableCatalog } from '../_internal/table-catalog';
import type { MirrorOp } from './mirror-op';
import { decodeStatements, encodeStatements } from './value-codec';

/**
 * The rows of one write as a Postgres primary wrote them into its outbox entry, in the
 * same statement as the write: each column as the server's own text for it, which its
 * type reads back exactly. Turned into the secondary's statements when drained.
 */
export interface CapturedRows {
  /** The primary's table. */
  table: string;
  /** The write deleted these rows. */
  deleted: boolean;
  /** The table's columns when the write ran, and their declared types (`format_type`). */
  columns: string[];
  types: string[];
  /** One array per row, in `columns` order; `null` for NULL. */
  rows: (string | null)[][];
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
  const shape =
    `'table', ${literal(source.name)}, 'deleted', ${deleted}, ` +
    `'columns', ${literal(JSON.stringify(columns.map((c) => c.name)))}::json, 'types', ${literal(JSON.stringify(columns.map((c) => c.type)))}::json`;
  const payload = `json_build_object('v', 2, 'opId', ?::text, 'seq', 0, 'createdAt', ?::bigint, 'statements', '[]'::json, 'captured', json_build_object(${shape}, 'rows', json_agg(ARRAY[${values}])))::text`;
  return `INSERT INTO ${outbox} (op_id, payload, created_at) SELECT ?, ${payload}, ?::bigint FROM ${cte} HAVING count(*) > 0`;
}

/** A string as a SQL literal (standard strings: only the quote is doubled). */
function literal(text: string): string {
  return `'${text.replaceAll("'", "''")}'`;
}

/** The captured rows of a message, or `undefined` when it has none (or they are malformed). */
export function capturedOf(body: unknown): CapturedRows | undefined {
  const c = (body as { captured?: Partial<CapturedRows> } | null)?.captured;
  if (!c || typeof c.table !== 'string' || !Array.isArray(c.columns) || !Array.isArray(c.types) || !Array.isArray(c.rows)) return undefined;
  return { table: c.table, deleted: c.deleted === true, columns: c.columns, types: c.types, rows: c.rows };
}

/**
 * Outbox operations with their captured rows (see {@link CapturedRows}) turned into the
 * secondary's statements, as a write through a transaction would have made them: upserts
 * of whole rows, deletes by key. The rows' text is read back by the primary itself, cast
 * to each column's type, so every value is what the primary's adapter reads for it.
 * Operations without captured rows are returned as they are.
 *
 * The list may come back shorter: it ends after the first schema change that precedes a
 * captured operation, whose tables must then be read again (`catalog.invalidate()` once
 * it is applied).
 */
export async function resolveCaptured(
  primary: DatabaseAdapter,
  secondary: DatabaseAdapter,
  catalog: TableCatalog,
  ops: readonly MirrorOp[],
): Promise<MirrorOp[]> {
  if (!ops.some((op) => op.captured)) return [...ops];
  const schemaChange = ops.findIndex((op) => op.statements.some((s) => statementKind(s.sql) === 'schema'));
  const upTo = schemaChange >= 0 && ops.slice(schemaChange + 1).some((op) => op.captured) ? schemaChange + 1 : ops.length;
  const batch = ops.slice(0, upTo);
  const decoded = await decodeRows(primary, catalog, batch);
  const out: MirrorOp[] = [];
  for (const [i, op] of batch.entries()) {
    const rows = decoded.get(i);
    if (!op.captured || !rows) {
      out.push(op);
      continue;
    }
    const { source, images } = rows;
    const target = await catalog.table(secondary, op.captured.table);
    if (!target) {
      throw new QueryError(
        `Outbox entry ${op.opId} holds rows of ${op.captured.table}, a table ${secondary.name} does not have: create it there, then drain again.`,
        { dialect: secondary.dialect },
      );
    }
    const pair: TablePair = { source, target };
    // Through the wire form and back, as an entry the client wrote is read: the same values to the type.
    const statements = decodeStatements(encodeStatements(imageStatements(images, () => pair, 'postgres', secondary)));
    const resolved: MirrorOp = { opId: op.opId, seq: op.seq, createdAt: op.createdAt, statements };
    resolved.rows = dedupeRefs(images.map(refOf));
    out.push(resolved);
  }
  return out;
}

/** Throws for an operation whose captured rows were never turned into statements. */
export function assertResolved(op: MirrorOp): void {
  if (op.captured) {
    throw new InvalidArgumentError(
      `Operation ${op.opId} holds rows captured on the primary, not statements yet. ` +
        'drainOutbox() turns them into statements; after outboxMirror().peek(), pass the operations through resolveOutboxOps() first.',
    );
  }
}

interface DecodedRows {
  source: TableInfo;
  images: RowImage[];
}

/**
 * Each captured operation's rows as the primary reads them: one query per table and
 * column list, which casts each column's text to its declared type. Columns the primary's
 * table no longer has are left out (a later schema change dropped them).
 */
async function decodeRows(primary: DatabaseAdapter, catalog: TableCatalog, ops: readonly MirrorOp[]): Promise<Map<number, DecodedRows>> {
  const groups = new Map<string, number[]>();
  for (const [i, op] of ops.entries()) {
    if (!op.captured) continue;
    const id = JSON.stringify([op.captured.table, op.captured.columns, op.captured.types]);
    groups.set(id, [...(groups.get(id) ?? []), i]);
  }
  const out = new Map<number, DecodedRows>();
  for (const members of groups.values()) {
    const first = ops[members[0]!]!.captured!;
    const table = await catalog.table(primary, first.table);
    if (!table) {
      throw new QueryError(`Outbox entry ${ops[members[0]!]!.opId} holds rows of ${first.table}, which ${primary.name} no longer has.`, {
        dialect: primary.dialect,
      });
    }
    const current = new Map(table.columns.map((c) => [c.name, c]));
    const kept = first.columns.flatMap((name, k) => (current.has(name) ? [{ name, k, type: first.types[k]! }] : []));
    const source = kept.length === table.columns.length ? table : { ...table, columns: kept.map((c) => current.get(c.name)!) };
    const all = members.flatMap((i) => ops[i]!.captured!.rows);
    // Private names: a column of the table called n must not be what ORDER BY n finds.
    const casts = kept.map((c) => `("__sy_r"->>${c.k})::${c.type} AS ${quote(c.name)}`).join(', ');
    const sql = `SELECT ${casts} FROM json_array_elements(?::json) WITH ORDINALITY AS "__sy_x"("__sy_r", "__sy_n") ORDER BY "__sy_x"."__sy_n"`;
    const rows = all.length === 0 ? [] : await primary.query<Row>(sql, [JSON.stringify(all)]);
    let at = 0;
    for (const i of members) {
      const captured = ops[i]!.captured!;
      const mine = rows.slice(at, at + captured.rows.length);
      at += captured.rows.length;
      out.set(i, { source, images: imagesOf(table, mine, captured.deleted) });
    }
  }
  return out;
}
