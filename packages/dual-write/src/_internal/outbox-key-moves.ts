import type { DatabaseAdapter, Statement, TableInfo } from '@switchyard/core';
import type { MovedKeys } from '../mirror/mirror-op';
import { unkeyedMoves } from './key-move-rows';
import type { Step } from './replication-types';
import type { TableCatalog } from './table-catalog';
import { literal, locatedGroups, recordRowidsSql, rowidKeysSql, type GroupSql } from './outbox-entry-sql';
import { whereClauseOf } from './where-clause';
import { parseWrite } from './write-parse';

/**
 * A key move in a write to a D1 outbox, whose entry is written in the write's own batch,
 * before the moved rows exist: `record` (run right before the move) keeps the rowids of
 * the rows its filter selects in the entry's slot, and `keys` (read at the end of the
 * batch) turns them into the keys those rows hold then. A rowid survives an `UPDATE` of
 * the key unless the key is the rowid itself (`INTEGER PRIMARY KEY`) or the table has none
 * (`WITHOUT ROWID`); such a move, or one whose filter cannot run again, names no keys, and
 * the drain finds only the old keys (on the secondary), not the rows keyed by the new ones.
 */
export interface BatchMove {
  move: MovedKeys;
  /** The index of the move's step among the write's steps. */
  step: number;
  record?: GroupSql;
  keys?: string;
  /**
   * The moved rows as the batch leaves them, for the entry's captured rows: the drain
   * follows the move from them, not from the primary's rows when it runs, whose values
   * (a code renamed since) entries still to be drained hold.
   */
  rows?: GroupSql[];
}

/** Names that would be a column rather than the rowid. */
const ROWID_NAMES = new Set(['rowid', '_rowid_', 'oid']);

/** The key moves among `steps` (replayed as `replays` in the entry), each tracked by rowid where it can be. */
export function batchMoves(
  catalog: TableCatalog,
  primary: DatabaseAdapter,
  steps: readonly Step[],
  replays: readonly Statement[],
  outbox: string,
): BatchMove[] {
  const moves = unkeyedMoves(steps, replays);
  return moves.map((move, n) => {
    const step = steps.findIndex((s) => s.kind === 'replay' && s.secondary === replays[move.statement]);
    // `unkeyedMoves` names replayed steps only.
    const { primary: source } = steps[step] as Step & { kind: 'replay' };
    const parsed = parseWrite(source.sql);
    const table = catalog.peek(primary, move.table);
    const where = parsed && whereClauseOf(parsed.sql, source.params ?? []);
    if (!table || !parsed || !where || !tracksRowids(table)) return { move, step };
    const slot = `m${n}`;
    const record = recordRowidsSql(outbox, slot, table, parsed.alias, where);
    const keys = rowidKeysSql(outbox, slot, table);
    return { move, step, record, keys, rows: locatedGroups(table, { kind: 'rowids', slot }, outbox) };
  });
}

/**
 * The SQL text of an entry up to its captured rows: `head` (the operation's JSON without
 * its closing brace), then its key moves, their keys read by SQLite at the end of the batch.
 */
export function entryPrefix(head: string, moves: readonly BatchMove[]): GroupSql {
  if (moves.length === 0) return { sql: '?', params: [`${head},"captured":[`] };
  const parts = moves.map(({ move, keys }) => {
    const open = `{"table":${JSON.stringify(move.table)},"statement":${move.statement},"keys":`;
    return keys ? `${literal(open)} || ${keys} || '}'` : literal(`${open}[]}`);
  });
  return { sql: `? || ${parts.join(" || ',' || ")} || '],"captured":['`, params: [`${head},"moves":[`] };
}

/** Whether a table's rows keep their rowid when their key changes. */
function tracksRowids(table: TableInfo): boolean {
  if (table.withoutRowid || table.primaryKey.length === 0) return false;
  if (table.columns.some((c) => ROWID_NAMES.has(c.name.toLowerCase()))) return false;
  // A blob key is not JSON; an INTEGER PRIMARY KEY is the rowid, which the move changes.
  const keys = table.columns.filter((c) => table.primaryKey.includes(c.name));
  return !keys.some((c) => c.logicalType === 'blob' || c.autoIncrement);
}
