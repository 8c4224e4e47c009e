import { hostname } from 'node:os';
import type { DatabaseAdapter, Statement } from '@switchyard/core';
import { decodeKey, encodeKey, type KeyValues } from './key-codec';
import { quoteLiteral } from './sql-text';
import { CHECKPOINT_TABLE } from '../checkpoint-table';

export type RangeStatus = 'pending' | 'running' | 'done' | 'failed';

/** One key range of one table: keys after `start` (exclusive) up to `end` (inclusive); `null` is unbounded. */
export interface RangeState {
  table: string;
  rangeId: number;
  start: KeyValues | null;
  end: KeyValues | null;
  lastKey: KeyValues | null;
  /**
   * Where the last committed batch started (`null`: at the range's open start), so a
   * resumed copy can reconcile that batch again; `undefined` when not recorded.
   */
  batchStart?: KeyValues | null;
  rowsCopied: number;
  status: RangeStatus;
  error: string | null;
  worker: string | null;
  updatedAt: string;
}

export interface RangeBounds {
  start: KeyValues | null;
  end: KeyValues | null;
}

/** The checkpoint advance that goes with a written batch; `commit()` runs once the batch is in. */
export interface Advance {
  statement?: Statement;
  commit(): void;
}

/** Where ranges and their progress live: the checkpoint table, or memory when checkpoints are off. */
export interface Ledger {
  prepare(): Promise<void>;
  reset(table: string): Promise<void>;
  list(table: string): Promise<RangeState[]>;
  /** Stores the ranges of a table unless another run or worker already did; returns what is stored. */
  plan(table: string, ranges: RangeBounds[]): Promise<RangeState[]>;
  /** Takes the next range this worker may copy, or `undefined`. */
  claim(table: string): Promise<RangeState | undefined>;
  advance(range: RangeState, batchStart: KeyValues | null, lastKey: KeyValues, rows: number, done: boolean): Advance;
  finish(range: RangeState): Promise<void>;
  fail(range: RangeState, error: string): Promise<void>;
  /** Hands a range back (on abort) so the next run takes it at once. */
  release(range: RangeState): Promise<void>;
  /**
   * Hands back at once the ranges still claimed by workers of this host whose process
   * is gone (a killed copy), or by this worker's own id (a stopped run under the same
   * name), instead of waiting for their heartbeat to go stale. Called before any claim.
   */
  releaseDeadLocalClaims(): Promise<{ table: string; worker: string; ranges: number }[]>;
}

/**
 * True for a default worker id (`host:pid:suffix`) of this host whose process no longer
 * exists. Ids given by the caller, other hosts and this process itself are never dead.
 */
export function isDeadLocalWorker(worker: string): boolean {
  const parts = worker.split(':');
  if (parts.length < 3) return false;
  const pid = Number(parts[parts.length - 2]);
  if (parts.slice(0, -2).join(':') !== hostname() || !Number.isInteger(pid) || pid <= 0 || pid === process.pid) return false;
  try {
    process.kill(pid, 0);
    return false;
  } catch (error) {
    return (error as { code?: unknown }).code === 'ESRCH';
  }
}

const now = (): string => new Date().toISOString();
// `batch_start` of a batch that began at the range's open start (NULL means "not recorded").
const OPEN_START = '*';

/**
 * The ledger in `_switchyard_checkpoints`. Claims are one atomic `UPDATE … RETURNING`;
 * on Postgres the candidate row is picked `FOR UPDATE SKIP LOCKED`, so workers on
 * several machines never take the same range, and a claim whose heartbeat
 * (`updated_at`, refreshed with every batch) is older than the timeout is taken over.
 * Other targets serve one process: a range left `running` there belongs to a run that
 * stopped, and is taken back at once.
 */
export class TableLedger implements Ledger {
  readonly #target: DatabaseAdapter;
  readonly #worker: string;
  readonly #claimTimeoutMs: number;
  readonly #shared: boolean;

  constructor(target: DatabaseAdapter, worker: string, claimTimeoutMs: number) {
    this.#target = target;
    this.#worker = worker;
    this.#claimTimeoutMs = claimTimeoutMs;
    this.#shared = target.dialect === 'postgres';
  }

  async prepare(): Promise<void> {
    try {
      await this.#createTable();
    } catch {
      // Two workers creating the table at the same moment: Postgres lets one IF NOT EXISTS
      // fail on its catalog's unique index. The table exists now; a second try sees it.
      await this.#createTable();
    }
    await this.#addBatchStart();
  }

  /** Checkpoint tables made by earlier versions lack `batch_start`. */
  async #addBatchStart(): Promise<void> {
    if (this.#shared) {
      await this.#target.execute(`ALTER TABLE "${CHECKPOINT_TABLE}" ADD COLUMN IF NOT EXISTS batch_start TEXT`);
      return;
    }
    try {
      await this.#target.query(`SELECT batch_start FROM "${CHECKPOINT_TABLE}" LIMIT 0`);
    } catch {
      await this.#target.execute(`ALTER TABLE "${CHECKPOINT_TABLE}" ADD COLUMN batch_start TEXT`);
    }
  }

  async #createTable(): Promise<void> {
    await this.#target.execute(
      `CREATE TABLE IF NOT EXISTS "${CHECKPOINT_TABLE}" (` +
        'table_name TEXT NOT NULL, range_id INTEGER NOT NULL, range_start TEXT, range_end TEXT, last_key TEXT, ' +
        "rows_copied BIGINT NOT NULL DEFAULT 0, status TEXT NOT NULL DEFAULT 'pending', error TEXT, worker TEXT, " +
        'updated_at TEXT NOT NULL, batch_start TEXT, PRIMARY KEY (table_name, range_id))',
    );
  }

  async reset(table: string): Promise<void> {
    await this.#target.execute(`DELETE FROM "${CHECKPOINT_TABLE}" WHERE table_name = ?`, [table]);
  }

  async list(table: string): Promise<RangeState[]> {
    const rows = await this.#target.query(`SELECT * FROM "${CHECKPOINT_TABLE}" WHERE table_name = ? ORDER BY range_id`, [table]);
    return rows.map(toState);
  }

  async plan(table: string, ranges: RangeBounds[]): Promise<RangeState[]> {
    const stamp = now();
    const values = ranges
      .map((r, i) => {
        const start = encodeKey(r.start);
        const end = encodeKey(r.end);
        return `(${quoteLiteral(table)}, ${i}, ${start === null ? 'NULL' : quoteLiteral(start)}, ${end === null ? 'NULL' : quoteLiteral(end)}, 'pending', ${quoteLiteral(stamp)})`;
      })
      .join(', ');
    // One statement inserts every range, or none when a plan exists: two workers starting
    // together can never store two different plans for one table.
    const sql =
      `INSERT INTO "${CHECKPOINT_TABLE}" (table_name, range_id, range_start, range_end, status, updated_at) ` +
      `SELECT * FROM (VALUES ${values}) AS v WHERE NOT EXISTS (SELECT 1 FROM "${CHECKPOINT_TABLE}" WHERE table_name = ${quoteLiteral(table)})`;
    if (this.#shared && this.#target.capabilities.transactions) {
      await this.#target.transaction(async (tx) => {
        await tx.execute(`LOCK TABLE "${CHECKPOINT_TABLE}" IN SHARE ROW EXCLUSIVE MODE`);
        await tx.execute(sql);
      });
    } else {
      await this.#target.execute(sql);
    }
    return this.list(table);
  }

  async claim(table: string): Promise<RangeState | undefined> {
    const stamp = now();
    const params: unknown[] = [this.#worker, stamp, table, table, this.#worker];
    let stale = '';
    if (this.#shared) {
      stale = " AND (status <> 'running' OR updated_at < ?)";
      params.push(new Date(Date.now() - this.#claimTimeoutMs).toISOString());
    }
    const rows = await this.#target.query(
      `UPDATE "${CHECKPOINT_TABLE}" SET status = 'running', worker = ?, updated_at = ?, error = NULL ` +
        `WHERE table_name = ? AND range_id = (SELECT range_id FROM "${CHECKPOINT_TABLE}" WHERE table_name = ? ` +
        `AND status <> 'done' AND (worker IS NULL OR worker <> ? OR status = 'pending')${stale} ` +
        `ORDER BY range_id LIMIT 1${this.#shared ? ' FOR UPDATE SKIP LOCKED' : ''}) RETURNING *`,
      params,
    );
    return rows[0] ? toState(rows[0]) : undefined;
  }

  advance(range: RangeState, batchStart: KeyValues | null, lastKey: KeyValues, rows: number, done: boolean): Advance {
    return {
      statement: {
        sql:
          `UPDATE "${CHECKPOINT_TABLE}" SET last_key = ?, batch_start = ?, rows_copied = rows_copied + ?, updated_at = ?` +
          (done ? ", status = 'done'" : '') +
          ' WHERE table_name = ? AND range_id = ? AND worker = ?',
        params: [encodeKey(lastKey), encodeKey(batchStart) ?? OPEN_START, rows, now(), range.table, range.rangeId, this.#worker],
      },
      commit: () => {
        range.batchStart = batchStart;
        range.lastKey = lastKey;
        range.rowsCopied += rows;
        if (done) range.status = 'done';
      },
    };
  }

  async finish(range: RangeState): Promise<void> {
    await this.#set(range, "status = 'done'", []);
    range.status = 'done';
  }

  async fail(range: RangeState, error: string): Promise<void> {
    await this.#set(range, "status = 'failed', error = ?", [error]);
    range.status = 'failed';
  }

  async release(range: RangeState): Promise<void> {
    await this.#set(range, "status = 'pending', worker = NULL", []);
    range.status = 'pending';
  }

  async releaseDeadLocalClaims(): Promise<{ table: string; worker: string; ranges: number }[]> {
    const rows = await this.#target.query<{ table_name: string; worker: string; n: unknown }>(
      `SELECT table_name, worker, count(*) AS n FROM "${CHECKPOINT_TABLE}" WHERE status = 'running' AND worker IS NOT NULL GROUP BY table_name, worker`,
    );
    const released: { table: string; worker: string; ranges: number }[] = [];
    for (const row of rows) {
      // This worker's own id on a range before it claimed anything: a previous run under
      // the same --worker-id that stopped; its lanes would never claim the range back.
      if (!isDeadLocalWorker(String(row.worker)) && row.worker !== this.#worker) continue;
      await this.#target.execute(
        `UPDATE "${CHECKPOINT_TABLE}" SET status = 'pending', worker = NULL WHERE table_name = ? AND worker = ? AND status = 'running'`,
        [row.table_name, row.worker],
      );
      released.push({ table: row.table_name, worker: row.worker, ranges: Number(row.n) });
    }
    return released;
  }

  async #set(range: RangeState, assignments: string, params: unknown[]): Promise<void> {
    await this.#target.execute(
      `UPDATE "${CHECKPOINT_TABLE}" SET ${assignments}, updated_at = ? WHERE table_name = ? AND range_id = ? AND worker = ?`,
      [...params, now(), range.table, range.rangeId, this.#worker],
    );
  }
}

/** Progress kept in memory only (`checkpoint: false`): a stopped copy starts over. */
export class MemoryLedger implements Ledger {
  readonly #ranges = new Map<string, RangeState[]>();

  async prepare(): Promise<void> {}
  async reset(table: string): Promise<void> {
    this.#ranges.delete(table);
  }
  async list(table: string): Promise<RangeState[]> {
    return this.#ranges.get(table) ?? [];
  }
  async plan(table: string, ranges: RangeBounds[]): Promise<RangeState[]> {
    const states = ranges.map((r, i): RangeState => ({
      table, rangeId: i, start: r.start, end: r.end, lastKey: null, rowsCopied: 0,
      status: 'pending', error: null, worker: null, updatedAt: now(),
    }));
    this.#ranges.set(table, states);
    return states;
  }
  async claim(table: string): Promise<RangeState | undefined> {
    const range = this.#ranges.get(table)?.find((r) => r.status === 'pending');
    if (range) range.status = 'running';
    return range;
  }
  advance(range: RangeState, batchStart: KeyValues | null, lastKey: KeyValues, rows: number, done: boolean): Advance {
    return {
      commit: () => {
        range.batchStart = batchStart;
        range.lastKey = lastKey;
        range.rowsCopied += rows;
        if (done) range.status = 'done';
      },
    };
  }
  async finish(range: RangeState): Promise<void> {
    range.status = 'done';
  }
  async fail(range: RangeState, error: string): Promise<void> {
    range.status = 'failed';
    range.error = error;
  }
  async release(range: RangeState): Promise<void> {
    range.status = 'pending';
  }
  async releaseDeadLocalClaims(): Promise<{ table: string; worker: string; ranges: number }[]> {
    return [];
  }
}

function toState(row: Record<string, unknown>): RangeState {
  return {
    table: String(row.table_name),
    rangeId: Number(row.range_id),
    start: decodeKey(row.range_start),
    end: decodeKey(row.range_end),
    lastKey: decodeKey(row.last_key),
    ...(row.batch_start === null || row.batch_start === undefined ? {} : { batchStart: row.batch_start === OPEN_START ? null : decodeKey(row.batch_start) }),
    rowsCopied: Number(row.rows_copied ?? 0),
    status: String(row.status) as RangeStatus,
    error: row.error === null || row.error === undefined ? null : String(row.error),
    worker: row.worker === null || row.worker === undefined ? null : String(row.worker),
    updatedAt: String(row.updated_at),
  };
}
