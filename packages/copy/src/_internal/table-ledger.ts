import { quoteLiteral, type DatabaseAdapter } from '@switchyard/core';
import { decodeKey, encodeKey, type KeyValues } from './key-codec';
import { CHECKPOINT_TABLE } from '../checkpoint-table';
import {
  applyAdvance,
  isDeadLocalWorker,
  ledgerStamp,
  type Advance,
  type Ledger,
  type RangeBounds,
  type RangeState,
  type RangeStatus,
} from './checkpoint-ledger';

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
    const stamp = ledgerStamp();
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
    const stamp = ledgerStamp();
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
        params: [encodeKey(lastKey), encodeKey(batchStart) ?? OPEN_START, rows, ledgerStamp(), range.table, range.rangeId, this.#worker],
      },
      commit: () => applyAdvance(range, batchStart, lastKey, rows, done),
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
      [...params, ledgerStamp(), range.table, range.rangeId, this.#worker],
    );
  }
}

function toState(row: Record<string, unknown>): RangeState {
  return {
    table: String(row.table_name),
    rangeId: Number(row.range_id),
    start: decodeKey(row.range_start),
    end: decodeKey(row.range_end),
    lastKey: decodeKey(row.last_key),
    ...(row.batch_start === null || row.batch_start === undefined
      ? {}
      : { batchStart: row.batch_start === OPEN_START ? null : decodeKey(row.batch_start) }),
    rowsCopied: Number(row.rows_copied ?? 0),
    status: String(row.status) as RangeStatus,
    error: row.error === null || row.error === undefined ? null : String(row.error),
    worker: row.worker === null || row.worker === undefined ? null : String(row.worker),
    updatedAt: String(row.updated_at),
  };
}
