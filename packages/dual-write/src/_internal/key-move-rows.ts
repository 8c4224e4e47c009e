import { markJsonTexts, type DatabaseAdapter, type ExecResult, type Statement } from '@switchyard/core';
import type { MirrorOp, MovedKeys } from '../mirror/mirror-op';
import type { RowRef } from '../row-ref';
import type { ReadCurrent } from './cascade-rows';
import { within } from './time-allowance';
import { imageStatements, imagesOf, refOf, refsOfRows, rowName, type RowImage } from './row-images';
import type { KeyMove, ReplicatorParts, SecondaryWork, Step } from './replication-types';
import { isOutage } from './write-errors';
import { toError } from './to-error';
import type { TableCatalog } from './table-catalog';
import { updateActions } from './update-actions';
import { updatedDependents } from './update-cascade-rows';
import { parseWriteCached } from './write-parse';
import { withoutReturning } from './write-op';
import { capturingSql, splitAliased } from './captured-aliases';
import { keysFilteredOn } from './where-clause';
import { lockingRead } from './dependent-locks';

/** The reason a statement that may change a key is replayed rather than captured. */
const CHANGES_KEY = 'an UPDATE that may change a primary key';

/**
 * Steps for a write, or a statement of a transaction, where an `UPDATE` that may change a
 * key runs with `RETURNING *` (after the app's own columns, if it has a `RETURNING`): the rows it
 * left reach the secondary after the statement is replayed there (a row the transaction
 * wrote before it moved it holds those values under its new key), and where the primary's
 * foreign keys reference the table with an `ON UPDATE` action they tell which new keys the
 * referencing rows now name (see {@link addMovedDependents}). The app still gets what it
 * asked for (see {@link appResult}). `via`: the transaction the statements run in, which
 * reads the tables when they are being read again.
 */
export async function withKeyMoves(
  catalog: TableCatalog,
  primary: DatabaseAdapter,
  steps: Step[],
  via: DatabaseAdapter = primary,
): Promise<Step[]> {
  if (!steps.some((s) => s.kind === 'replay' && s.reason === CHANGES_KEY)) return steps;
  const out: Step[] = [];
  for (const step of steps) {
    const parsed = step.kind === 'replay' && step.reason === CHANGES_KEY ? parseWriteCached(step.primary.sql) : undefined;
    // Read again when the tables are being read again (a replay, another write): without
    // the key the move's new keys would not be known, and neither the moved row nor the
    // rows its foreign key actions moved would reach the secondary.
    const table = parsed && (catalog.peek(primary, parsed.table) ?? (await catalog.table(primary, parsed.table, via)));
    if (step.kind !== 'replay' || !parsed || !table) out.push(step);
    else {
      // Captured as a write's rows are; the app's own RETURNING (an ORM's update) is not
      // replayed: the app has its rows from the primary.
      const { sql, aliases } = capturingSql(parsed, table, primary.dialect);
      out.push({
        ...step,
        primary: { ...step.primary, sql },
        secondary: aliases ? withoutReturning(step.secondary) : step.secondary,
        moves: table.name,
        movesKey: table.primaryKey,
        ...(aliases ? { movesAliased: aliases } : {}),
      });
    }
  }
  return out;
}

/**
 * What the app gets for a replayed statement: without the rows a key move's `RETURNING`
 * added; the move is noted on `into` (a write's work, or a transaction's record).
 */
export function appResult(step: Step & { kind: 'replay' }, result: ExecResult, into: { moves?: KeyMove[] }): ExecResult {
  if (!step.moves) return result;
  const split = step.movesAliased ? splitAliased(result.rows ?? [], step.movesAliased) : undefined;
  if (!movedNothing(step, result)) {
    // Rows of a Postgres primary carry their bare JSON documents' text (see `capturingSql`).
    const rows = markJsonTexts(split?.images ?? result.rows ?? [], undefined, result.rows ?? []);
    (into.moves ??= []).push({
      table: step.moves,
      rows,
      statement: step.secondary,
      refs: step.movesKey ? refsOfRows(step.moves, step.movesKey, rows) : [],
    });
  }
  const app: ExecResult = { rowsAffected: result.rowsAffected, rows: split?.app ?? [] };
  if (result.lastInsertId !== undefined) app.lastInsertId = result.lastInsertId;
  return app;
}

/**
 * Whether a key move changed no row on the primary: then it is not replayed. Replayed, it
 * could still find rows on the secondary, where a transaction that committed first on the
 * primary (and moved them) may be settled only after it.
 */
export function movedNothing(step: Step & { kind: 'replay' }, result: ExecResult): boolean {
  return step.moves !== undefined && result.rowsAffected === 0;
}

/**
 * Appends to `work`, after its statements, the rows that the primary's `ON UPDATE`
 * actions changed when its key moves moved keys, four levels deep, and the moved rows as
 * the primary left them. The secondary replays the statement; a secondary without those
 * foreign keys would keep the referencing rows on the old keys. The old keys are the rows
 * the statement's filter selects on the secondary before it runs (a filter that cannot be
 * run again, such as `UPDATE … FROM`, gives none: only the rows referencing the new keys
 * are brought then); the rows there that reference them, and the primary's rows that
 * reference the new keys, are taken from the primary as they are now. Returns whether it
 * added any. Bounded by `secondaryTimeoutMs`, like the write.
 */
export async function addMovedDependents(
  parts: ReplicatorParts,
  primary: DatabaseAdapter,
  secondary: DatabaseAdapter,
  work: SecondaryWork,
): Promise<boolean> {
  if (!work.moves?.length) return false;
  const { catalog, settler } = parts;
  const lookup = (async () => {
    const moves: MoveLookup[] = [];
    for (const move of work.moves!) {
      const source = await catalog.table(primary, move.table);
      if (source) moves.push({ table: move.table, statement: move.statement, refs: imagesOf(source, move.rows, false).map(refOf) });
    }
    return movedDependents(catalog, primary, secondary, moves, lockingRead(parts, primary, work));
  })();
  let images: RowImage[];
  try {
    images = await within(
      lookup,
      parts.options.secondaryTimeoutMs,
      secondary,
      work.moves.reduce((n, m) => n + m.rows.length, 0),
    );
  } catch (error) {
    // A secondary that does not answer fails the write, as its statements would. A filter
    // the secondary cannot run on its own leaves the referencing rows to validation.
    if (isOutage(toError(error))) throw error;
    return false;
  }
  if (images.length === 0) return false;
  const pairs = await settler.pairs(
    primary,
    secondary,
    images.map((i) => i.table),
  );
  work.images.push(...images);
  work.statements.push(...imageStatements(images, pairs, primary.dialect, secondary));
  // Their upserts return nothing: rows are compared by reading them again.
  work.returning = false;
  return true;
}

/** A key move to follow: its table, its statement as the secondary replays it, and the rows it left on the primary. */
export interface MoveLookup {
  table: string;
  statement: Statement;
  refs: RowRef[];
  /** The rows under `refs` as of the write (a drain's entry holds them); otherwise read from the primary now. */
  rows?: RowImage[];
}

/**
 * The rows a key move's `ON UPDATE` actions changed, with the moved rows first, read
 * before the secondary replays the statement (see {@link addMovedDependents}): the rows its
 * filter selects there give the old keys. `asOfEntry`: a drain's (see `updatedDependents`),
 * which brings only the rows below the moved ones.
 */
export async function movedDependents(
  catalog: TableCatalog,
  primary: DatabaseAdapter,
  secondary: DatabaseAdapter,
  moves: readonly MoveLookup[],
  read: ReadCurrent,
  asOfEntry = false,
): Promise<RowImage[]> {
  const moved: RowImage[] = [];
  const old: RowImage[] = [];
  for (const move of moves) {
    const source = await catalog.table(primary, move.table);
    const target = await catalog.table(secondary, move.table);
    if (!source || !target) continue;
    // Old keys matter only where foreign keys act on the table's updates.
    const acts = catalog.derivedNow(primary, updateActions)?.has(source.name.toLowerCase()) === true;
    const keys = acts ? await keysFilteredOn(secondary, target, source.primaryKey, move.statement) : undefined;
    old.push(...(keys ?? []).map((key) => ({ table: source.name, key, row: null })));
    // As the primary holds them now, unless the entry has them: a later statement of the
    // same transaction may have moved them again.
    moved.push(...(move.rows ?? (await read(move.refs))));
  }
  const dependents = await updatedDependents(catalog, primary, secondary, [...old, ...moved], read, { depth: 1, moved: true, asOfEntry });
  // A drain's replayed statement moved the rows as of its entry; the primary's rows now may
  // hold unique values that rows still to be drained hold on the secondary.
  return [...(asOfEntry ? [] : moved), ...dependents];
}

/**
 * The key moves of a recorded write as an outbox entry or a queue message names them: each
 * one's statement by its index among `statements`, and the keys it left; only those of
 * tables the primary's foreign keys reference with an `ON UPDATE` action.
 */
export function movedKeys(
  catalog: TableCatalog,
  primary: DatabaseAdapter,
  moves: readonly KeyMove[] | undefined,
  statements: readonly Statement[],
): MovedKeys[] {
  const out: MovedKeys[] = [];
  // Only where foreign keys act on the table's updates: nothing else follows a moved key.
  const actions = moves?.length ? catalog.derivedNow(primary, updateActions) : undefined;
  for (const move of moves ?? []) {
    if (!actions?.has(move.table.toLowerCase())) continue;
    const table = catalog.peek(primary, move.table);
    const at = statements.indexOf(move.statement);
    if (table && at >= 0) out.push({ table: move.table, statement: at, keys: imagesOf(table, move.rows, false).map((i) => refOf(i).key) });
  }
  return out;
}

/**
 * The key moves among a write's replayed statements (`statements`, as its entry holds them)
 * when the keys they left cannot be known: a D1 outbox entry is written in the write's own
 * batch, before the move's rows exist. Each names its statement and no keys; a drain finds
 * the old keys on the secondary by the statement's filter, and the rows there that
 * referenced them are taken from the primary as they are now (see {@link movedDependents}).
 * Without it a secondary without the primary's `ON UPDATE` foreign keys would keep those
 * rows under the old keys.
 */
export function unkeyedMoves(steps: readonly Step[], statements: readonly Statement[]): MovedKeys[] {
  return steps.flatMap((step) => {
    const table = step.kind === 'replay' && step.reason === CHANGES_KEY ? parseWriteCached(step.primary.sql)?.table : undefined;
    const at = table && step.kind === 'replay' ? statements.indexOf(step.secondary) : -1;
    return table && at >= 0 ? [{ table, statement: at, keys: [] }] : [];
  });
}

/**
 * The key moves an operation names, with their statements (see `MirrorOp.moves`), and the
 * moved rows as `images` hold them (an outbox entry's rows as the write left them): the
 * primary's rows now may reference values that operations still to be applied give them.
 */
export function moveLookups(op: MirrorOp, images: readonly RowImage[] = []): MoveLookup[] {
  const held = new Map(images.map((i) => [rowName(i.table, i.key), i]));
  return (op.moves ?? []).flatMap((m) => {
    const statement = op.statements[m.statement];
    if (!statement) return [];
    const refs = m.keys.map((key) => ({ table: m.table, key }));
    const rows = refs.map((r) => held.get(rowName(r.table, r.key)));
    return [{ table: m.table, statement, refs, ...(rows.every((i) => i !== undefined) ? { rows: rows as RowImage[] } : {}) }];
  });
}
