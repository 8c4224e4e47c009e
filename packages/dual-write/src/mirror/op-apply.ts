import type { DatabaseAdapter, Statement } from '@switchyard/core';
import { MirrorApplyError } from './mirror-errors';
import { toMessage, type MirrorOp } from './mirror-op';
import { APPLIED_OPS_TABLE, MIRROR_ERRORS_TABLE, ROW_VERSIONS_TABLE, ensureSecondaryTables } from './mirror-schema';
import { repairStatements } from './row-repair';
import { rowKeyText, type KeyColumns, type RowRef } from '../row-ref';
import { collectRowRefs } from './mirror-op';
import { assertResolved } from './outbox-resolve';

/**
 * What became of an operation: `applied`; `duplicate` (its id was applied before, nothing
 * changed); `stale` (a newer operation had already been applied to one of its rows: it
 * was skipped and recorded in `_switchyard_mirror_errors`); `repaired` (stale, and its
 * rows were re-read from the primary instead); `settled` (named in `settle`: its rows
 * were re-read from the primary instead, and recorded).
 */
export type ApplyOutcome = 'applied' | 'duplicate' | 'stale' | 'repaired' | 'settled';

/** The result of one operation: an outcome, or the error that stopped it. */
export type ApplyResult = { opId: string; outcome: ApplyOutcome } | { opId: string; error: MirrorApplyError };

/** Options of {@link applyOps}. */
export interface ApplyOptions {
  /**
   * Where to re-read the rows of a stale operation (the primary). Without it a stale
   * operation is skipped and recorded, and the row keeps the newer operation's state.
   */
  repairFrom?: DatabaseAdapter;
  /**
   * A sequence that every operation already applied to the primary is at or below,
   * measured before the rows are re-read. The repaired rows get it as their version, so
   * operations that the re-read already includes are recognised as stale when they
   * arrive instead of being applied twice. Default: the stale row's current version.
   */
  watermark?: () => Promise<number> | number;
  /** Stop at the first failing operation (an ordered drain). Default `false`. */
  stopOnError?: boolean;
  /** Primary-key columns by table, to read the rows a statement touches; tables not listed are keyed by `id`. */
  keys?: KeyColumns;
  /**
   * Operations, by id, to apply as their rows' current state on `repairFrom` instead of
   * their own statements, with why (recorded): for an operation the secondary refused,
   * whose rows the primary has since fixed. Only for operations whose `rows` name every
   * row they change (an outbox entry that holds rows, not statements).
   */
  settle?: ReadonlyMap<string, string>;
}

/** An operation with the rows it touches worked out. */
type KeyedOp = MirrorOp & { rows: RowRef[] };

const CHUNK_STATEMENTS = 500;

/**
 * Applies operations to the secondary exactly once each. With interactive transactions
 * (SQLite, Postgres) the whole list runs in one transaction: the operation ids are
 * inserted with `ON CONFLICT DO NOTHING`, and only the ids that were really inserted have
 * their statements run, so a redelivered id changes nothing; if anything fails, the
 * transaction rolls back and the operations are retried one per transaction to isolate
 * the failing one. On D1 each operation is one `batch()` that starts by inserting its id,
 * so a concurrent duplicate fails on the id's primary key and is reported as `duplicate`.
 *
 * @example
 * ```ts
 * const results = await applyOps(secondary, ops, { repairFrom: primary });
 * ```
 */
export async function applyOps(secondary: DatabaseAdapter, input: readonly MirrorOp[], options: ApplyOptions = {}): Promise<ApplyResult[]> {
  if (input.length === 0) return [];
  input.forEach(assertResolved);
  const ops = input.map((op): KeyedOp => (op.rows ? (op as KeyedOp) : { ...op, rows: collectRowRefs(op.statements, options.keys) }));
  await ensureSecondaryTables(secondary);
  if (!secondary.capabilities.transactions) return applyEachInBatch(secondary, ops, options);
  try {
    return await secondary.transaction((tx) => applyInTransaction(tx, ops, options));
  } catch (error) {
    if (ops.length === 1) return [{ opId: ops[0]!.opId, error: new MirrorApplyError(ops[0]!, secondary, error) }];
  }
  const results: ApplyResult[] = [];
  for (const op of ops) {
    try {
      results.push(...(await secondary.transaction((tx) => applyInTransaction(tx, [op], options))));
    } catch (error) {
      results.push({ opId: op.opId, error: new MirrorApplyError(op, secondary, error) });
      if (options.stopOnError) break;
    }
  }
  return results;
}

async function applyInTransaction(tx: DatabaseAdapter, ops: readonly KeyedOp[], options: ApplyOptions): Promise<ApplyResult[]> {
  const unique = [...new Map(ops.map((op) => [op.opId, op])).values()];
  const fresh = await claimIds(tx, unique);
  const versions = await readVersions(
    tx,
    unique.filter((op) => fresh.has(op.opId)),
  );
  const plan = await planOps(tx, unique, fresh, versions, options);
  for (let i = 0; i < plan.statements.length; i += CHUNK_STATEMENTS) {
    await tx.batch(plan.statements.slice(i, i + CHUNK_STATEMENTS));
  }
  const bookkeeping = [...versionUpserts(tx, plan.touched), ...plan.records];
  if (bookkeeping.length > 0) await tx.batch(bookkeeping);
  // An id listed twice in one call is a duplicate delivery too.
  return ops.map((op, i) =>
    ops.findIndex((o) => o.opId === op.opId) === i ? plan.results.get(op.opId)! : { opId: op.opId, outcome: 'duplicate' },
  );
}

async function applyEachInBatch(secondary: DatabaseAdapter, ops: readonly KeyedOp[], options: ApplyOptions): Promise<ApplyResult[]> {
  // All in one batch first: a duplicate id anywhere fails it, and the operations are then
  // taken one at a time, which tells the duplicate from a real failure.
  if (ops.length > 1 && new Set(ops.map((op) => op.opId)).size === ops.length) {
    try {
      return await applyGuarded(secondary, ops, options);
    } catch {
      // Fall through to one operation per batch.
    }
  }
  const results: ApplyResult[] = [];
  for (const op of ops) {
    try {
      results.push(...(await applyGuarded(secondary, [op], options)));
    } catch (error) {
      const seen = await secondary.first(`SELECT 1 AS x FROM ${APPLIED_OPS_TABLE} WHERE id = ?`, [op.opId]).catch(() => undefined);
      if (seen) {
        results.push({ opId: op.opId, outcome: 'duplicate' });
        continue;
      }
      results.push({ opId: op.opId, error: new MirrorApplyError(op, secondary, error) });
      if (options.stopOnError) break;
    }
  }
  return results;
}

/**
 * One `batch()` that starts by inserting the operations' ids without ON CONFLICT: if any
 * was applied before (or is being applied concurrently), the id's primary key fails the
 * whole batch, so statements can never run twice. Without interactive transactions the
 * row versions are read before the batch: run one consumer at a time on D1
 * (`max_concurrency = 1`) for the per-row order check to be exact.
 */
async function applyGuarded(secondary: DatabaseAdapter, ops: readonly KeyedOp[], options: ApplyOptions): Promise<ApplyResult[]> {
  const plan = await planOps(secondary, ops, new Set(ops.map((op) => op.opId)), await readVersions(secondary, ops), options);
  const size = Math.max(1, Math.floor(secondary.capabilities.maxBoundParameters / 3));
  const claims: Statement[] = [];
  const now = Date.now();
  for (let i = 0; i < ops.length; i += size) claims.push(claimStatement(ops.slice(i, i + size), now));
  await secondary.batch([...claims, ...plan.statements, ...versionUpserts(secondary, plan.touched), ...plan.records]);
  return ops.map((op) => plan.results.get(op.opId)!);
}

function claimStatement(ops: readonly MirrorOp[], now: number, onConflict = ''): Statement {
  return {
    sql: `INSERT INTO ${APPLIED_OPS_TABLE} (id, seq, applied_at) VALUES ${ops.map(() => '(?, ?, ?)').join(', ')}${onConflict}`,
    params: ops.flatMap((op) => [op.opId, op.seq, now]),
  };
}

/** Inserts the ids; returns those that were not there before (the ones to apply). */
async function claimIds(tx: DatabaseAdapter, ops: readonly MirrorOp[]): Promise<Set<string>> {
  const fresh = new Set<string>();
  const now = Date.now();
  if (!tx.capabilities.returning) {
    for (const op of ops) {
      const s = claimStatement([op], now, ' ON CONFLICT DO NOTHING');
      if ((await tx.execute(s.sql, s.params)).rowsAffected > 0) fresh.add(op.opId);
    }
    return fresh;
  }
  const size = Math.max(1, Math.min(500, Math.floor(tx.capabilities.maxBoundParameters / 3)));
  for (let i = 0; i < ops.length; i += size) {
    const s = claimStatement(ops.slice(i, i + size), now, ' ON CONFLICT DO NOTHING RETURNING id');
    for (const row of await tx.query<{ id: string }>(s.sql, s.params)) fresh.add(row.id);
  }
  return fresh;
}

const refId = (ref: RowRef) => ref.table + '\u0000' + rowKeyText(ref);

/** The current version of every row the operations touch. */
async function readVersions(db: DatabaseAdapter, ops: readonly KeyedOp[]): Promise<Map<string, number>> {
  const wanted = new Map(ops.flatMap((op) => op.rows.map((r) => [refId(r), r] as const)));
  const versions = new Map<string, number>();
  const keys = [...new Set([...wanted.values()].map(rowKeyText))];
  const size = Math.max(1, Math.min(500, db.capabilities.maxBoundParameters));
  for (let i = 0; i < keys.length; i += size) {
    const chunk = keys.slice(i, i + size);
    const rows = await db.query<{ table_name: string; row_key: string; seq: number | string }>(
      `SELECT table_name, row_key, seq FROM ${ROW_VERSIONS_TABLE} WHERE row_key IN (${chunk.map(() => '?').join(', ')})`,
      chunk,
    );
    for (const row of rows) {
      const id = row.table_name + '\u0000' + row.row_key;
      if (wanted.has(id)) versions.set(id, Number(row.seq));
    }
  }
  return versions;
}

interface Plan {
  statements: Statement[];
  touched: Map<string, { ref: RowRef; seq: number; opId: string }>;
  records: Statement[];
  results: Map<string, ApplyResult>;
}

/** Decides, in order, what each operation does on `secondary`, given the ids just claimed and the row versions. */
async function planOps(
  secondary: DatabaseAdapter,
  ops: readonly KeyedOp[],
  fresh: ReadonlySet<string>,
  versions: Map<string, number>,
  options: ApplyOptions,
): Promise<Plan> {
  const plan: Plan = { statements: [], touched: new Map(), records: [], results: new Map() };
  for (const op of ops) {
    if (!fresh.has(op.opId)) {
      plan.results.set(op.opId, { opId: op.opId, outcome: 'duplicate' });
      continue;
    }
    // Equal counts as newer: a repair records the watermark it read at, and an operation
    // at the watermark is already part of the re-read row (different operations never share a seq).
    const newer = op.rows.filter((r) => (versions.get(refId(r)) ?? -Infinity) >= op.seq);
    const refused = options.repairFrom ? options.settle?.get(op.opId) : undefined;
    if (newer.length === 0 && refused === undefined) {
      plan.statements.push(...op.statements);
      setVersions(plan, versions, op.rows, op.seq, op.opId);
      plan.results.set(op.opId, { opId: op.opId, outcome: 'applied' });
      continue;
    }
    const newest = Math.max(op.seq, ...newer.map((r) => versions.get(refId(r))!));
    const rows = (newer.length > 0 ? newer : op.rows).map((r) => `${r.table} ${rowKeyText(r)}`).join(', ');
    if (options.repairFrom) {
      const watermark = Math.max(newest, Number((await options.watermark?.()) ?? newest));
      plan.statements.push(...(await repairStatements(options.repairFrom, secondary, op.rows)));
      setVersions(plan, versions, op.rows, watermark, op.opId);
      const outcome = newer.length > 0 ? 'repaired' : 'settled';
      const why = newer.length > 0 ? `operation seq ${newest} was applied to ${rows} first` : `the secondary refused ${rows}: ${refused}`;
      plan.records.push(errorRecord(op, outcome, `${why}; the rows were re-read from the primary`));
      plan.results.set(op.opId, { opId: op.opId, outcome });
    } else {
      plan.records.push(errorRecord(op, 'stale', `operation seq ${newest} was applied to ${rows} first; this older operation was skipped`));
      plan.results.set(op.opId, { opId: op.opId, outcome: 'stale' });
    }
  }
  return plan;
}

function setVersions(plan: Plan, versions: Map<string, number>, rows: readonly RowRef[], seq: number, opId: string): void {
  for (const ref of rows) {
    const id = refId(ref);
    const next = Math.max(seq, versions.get(id) ?? -Infinity);
    versions.set(id, next);
    plan.touched.set(id, { ref, seq: next, opId });
  }
}

function versionUpserts(db: DatabaseAdapter, touched: Plan['touched']): Statement[] {
  const entries = [...touched.values()];
  const size = Math.max(1, Math.min(200, Math.floor(db.capabilities.maxBoundParameters / 4)));
  const out: Statement[] = [];
  for (let i = 0; i < entries.length; i += size) {
    const chunk = entries.slice(i, i + size);
    out.push({
      sql:
        `INSERT INTO ${ROW_VERSIONS_TABLE} (table_name, row_key, seq, op_id) VALUES ${chunk.map(() => '(?, ?, ?, ?)').join(', ')} ` +
        `ON CONFLICT (table_name, row_key) DO UPDATE SET seq = excluded.seq, op_id = excluded.op_id ` +
        `WHERE ${ROW_VERSIONS_TABLE}.seq < excluded.seq`,
      params: chunk.flatMap((e) => [e.ref.table, rowKeyText(e.ref), e.seq, e.opId]),
    });
  }
  return out;
}

/**
 * A row for `_switchyard_mirror_errors`: the operation (as its message JSON), what
 * happened and why.
 *
 * @example
 * ```ts
 * await secondary.batch([errorRecord(op, 'dead-letter', 'relation "users" does not exist', 4)]);
 * ```
 */
export function errorRecord(op: MirrorOp, kind: string, error: string, attempts?: number): Statement {
  return {
    sql: `INSERT INTO ${MIRROR_ERRORS_TABLE} (op_id, kind, seq, attempts, error, payload, recorded_at) VALUES (?, ?, ?, ?, ?, ?, ?)`,
    params: [op.opId, kind, op.seq, attempts ?? null, error, JSON.stringify(toMessage(op)), Date.now()],
  };
}
