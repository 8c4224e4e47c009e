import { scanPlaceholders, type DatabaseAdapter, type Statement } from '@switchyard/core';
import type { MirrorMetrics } from './mirror-metrics';
import { MirrorStats } from './mirror-metrics';
import { fromMessage, messageText, type MirrorOp, type MovedKeys } from './mirror-op';
import { assertIdentifier, outboxTableDdl } from './mirror-schema';
import type { Mirror, PreparedWrite } from './mirror-types';
import type { RowRef } from '../row-ref';
import { createOpId } from './op-id';
import type { CapturedRows } from './outbox-captured';
import { keepingSession, keepsSessionState, prepareSessionState } from '../_internal/sqlite-session-state';
import { translationsOf } from './entry-translations';

/** Options of {@link outboxMirror}. */
export interface OutboxMirrorOptions {
  /** The outbox table in the primary. Default `'_switchyard_outbox'`. */
  table?: string;
}

/** A mirror that keeps operations in an outbox table of the primary (see {@link outboxMirror}). */
export interface OutboxMirror extends Mirror {
  readonly kind: 'outbox';
  /** The primary that holds the outbox. */
  readonly primary: DatabaseAdapter;
  /** The outbox table's name. */
  readonly table: string;
  /** Creates the outbox table if it does not exist (done on first use too). */
  ensureTable(): Promise<void>;
  /** Reads up to `limit` waiting operations, oldest first. */
  peek(limit: number): Promise<MirrorOp[]>;
  /**
   * The outbox entry for a write: its operation, and the INSERT that must run in the
   * write's own transaction, after the write. Synchronous, for a primary that runs the
   * whole transaction without yielding; call {@link OutboxMirror.ensureTable} first.
   */
  entry(
    statements: readonly Statement[],
    rows?: RowRef[],
    captured?: CapturedRows[],
    moves?: MovedKeys[],
    deleted?: RowRef[],
  ): { statement: Statement; op: MirrorOp };
}

/**
 * A mirror that writes each operation into an outbox table of the primary, in the same
 * `batch()` (or transaction) as the write itself: a crash can never leave a write without
 * its mirror entry, nor an entry without its write. `drainOutbox()` applies the entries
 * to the secondary later, in order.
 *
 * @example
 * ```ts
 * const mirror = outboxMirror(primary);
 * const { statements } = await mirror.prepare([{ sql: 'INSERT INTO t (id) VALUES (?)', params: [1] }]);
 * await primary.batch(statements); // the write and its outbox row, atomically
 * ```
 */
export function outboxMirror(primary: DatabaseAdapter, options: OutboxMirrorOptions = {}): OutboxMirror {
  const table = options.table ?? '_switchyard_outbox';
  assertIdentifier(table);
  const stats = new MirrorStats('outbox');
  let ready: Promise<void> | undefined;
  const ensureTable = () => {
    ready ??= primary.execute(outboxTableDdl(primary.dialect, table)).then(() => prepareSessionState(primary));
    // A failed attempt (the database was unreachable) is tried again next time.
    ready.catch(() => (ready = undefined));
    return ready;
  };

  const keepsSession = keepsSessionState(primary);
  // One text for every entry: the primary's statement cache finds it without building it again.
  const entrySql = `INSERT INTO ${table} (op_id, payload, created_at) VALUES (?, ?, ?)`;
  const entry = (statements: readonly Statement[], rows?: RowRef[], captured?: CapturedRows[], moves?: MovedKeys[], deleted?: RowRef[]) => {
    const createdAt = Date.now();
    // The outbox's own sequence orders entries; seq 0 here is replaced when it is read.
    const op: MirrorOp = { opId: createOpId(createdAt), seq: 0, createdAt, statements: [...statements] };
    if (rows) op.rows = rows;
    if (captured && captured.length > 0) op.captured = captured;
    if (moves && moves.length > 0) op.moves = moves;
    if (deleted && deleted.length > 0) op.deleted = deleted;
    const translations = translationsOf(statements);
    if (translations) op.translations = translations;
    const statement: Statement = { sql: entrySql, params: [op.opId, messageText(op), createdAt] };
    stats.count('enqueued');
    return { statement, op };
  };

  return {
    kind: 'outbox',
    primary,
    table,
    stats,
    ensureTable,
    entry,
    async prepare(
      statements: readonly Statement[],
      primaryStatements: readonly Statement[] = statements,
      rows?: RowRef[],
      captured?: CapturedRows[],
      moves?: MovedKeys[],
      deleted?: RowRef[],
    ): Promise<PreparedWrite> {
      await ensureTable();
      const { statement, op } = entry(statements, rows, captured, moves, deleted);
      const merged =
        primary.dialect === 'postgres' && primaryStatements.length === 1
          ? withEntry(primaryStatements[0]!, table, statement.params!)
          : undefined;
      if (merged) return { statements: [merged], op, resultCount: 1 };
      // The entry goes last: on Postgres its sequence value is then taken after the write's
      // row locks, so two writes to one row get sequence values in their commit order.
      return {
        statements: [...primaryStatements, ...keepingSession(keepsSession, statement)],
        op,
        resultCount: primaryStatements.length,
      };
    },
    async commit() {
      // Nothing to do: the entry committed with the write.
    },
    async peek(limit: number): Promise<MirrorOp[]> {
      await ensureTable();
      const rows = await primary.query<{ seq: number | string; payload: string }>(
        `SELECT seq, payload FROM ${table} ORDER BY seq LIMIT ?`,
        [limit],
      );
      return rows.map((row) => ({ ...fromMessage(JSON.parse(row.payload)), seq: Number(row.seq) }));
    },
    getMetrics: () => stats.snapshot(),
    async sampleMetrics(): Promise<MirrorMetrics> {
      await ensureTable();
      const row = await primary.first<{ n: number | string; oldest: number | string | null }>(
        `SELECT COUNT(*) AS n, MIN(created_at) AS oldest FROM ${table}`,
      );
      stats.sample(Number(row?.n ?? 0), row?.oldest == null ? undefined : Number(row.oldest));
      return stats.snapshot();
    },
    resetMetrics: () => stats.reset(),
  };
}

/** Whether a mirror is an outbox this module made, whose entries can carry captured rows. */
export function isOutboxMirror(mirror: Mirror): mirror is OutboxMirror {
  return mirror.kind === 'outbox' && typeof (mirror as Partial<OutboxMirror>).entry === 'function';
}

/**
 * On Postgres one write and its outbox entry fit in one statement, an autocommitted
 * data-modifying CTE: one round trip instead of a BEGIN/COMMIT batch. The CTE is not read
 * by the write, so Postgres runs it after the write (and after its row locks), which
 * keeps the entry's sequence in commit order for each row. Only plain INSERT/UPDATE/DELETE
 * with `?` placeholders are merged; anything else goes the batch way.
 */
function withEntry(statement: Statement, table: string, entryParams: readonly unknown[]): Statement | undefined {
  if (!/^\s*(INSERT|UPDATE|DELETE)\b/i.test(statement.sql)) return undefined;
  if (numbersItsPlaceholders(statement.sql)) return undefined;
  return {
    sql: `WITH _switchyard_outbox_entry AS (INSERT INTO ${table} (op_id, payload, created_at) VALUES (?, ?, ?)) ${statement.sql}`,
    params: [...entryParams, ...(statement.params ?? [])],
  };
}

/** A text with `$n` placeholders cannot share one statement with an entry, whose own parameters are `?`. */
export function numbersItsPlaceholders(sql: string): boolean {
  return scanPlaceholders(sql, { rewrite: false }).highestDollar > 0;
}
