import { InvalidArgumentError, type DatabaseAdapter } from '@switchyard/core';
import { TableCatalog } from '../_internal/table-catalog';
import { applyAfterParents } from './outbox-parents';
import { toError } from '../_internal/to-error';
import { changesSchema, resolveCaptured } from './outbox-resolve';
import { MirrorStats, type MirrorMetrics } from './mirror-metrics';
import { fromMessage, type MirrorOp } from './mirror-op';
import { MIRROR_ERRORS_TABLE, ensureSecondaryTables } from './mirror-schema';
import { errorRecord } from './op-apply';
import { applyWithDependents } from './queue-dependents';
import { nextSequence } from './op-id';
import type { MessageBatchLike, QueueMessageLike } from './queue-types';
import type { KeyColumns } from '../row-ref';

/** A failed delivery, as reported to {@link MirrorConsumerOptions.onError}. */
export interface MirrorDeliveryError {
  /** The queue message id. */
  messageId: string;
  /** The operation id, when the message could be read. */
  opId?: string;
  /** Deliveries so far, this one included. */
  attempts: number;
  error: Error;
  /** True on the last attempt: the queue moves the message to its dead-letter queue next. */
  final: boolean;
}

/** Options of {@link createMirrorConsumer}. */
export interface MirrorConsumerOptions {
  /**
   * The primary, to re-read rows when an operation arrives after a newer one for the
   * same row. Without it such an operation is skipped and recorded in
   * `_switchyard_mirror_errors` (kind `'stale'`). With it, a delete also brings the rows
   * that the primary's `ON DELETE CASCADE` / `SET NULL` / `SET DEFAULT` foreign keys
   * changed with it, which the message does not hold: the rows on the secondary that
   * reference the deleted ones, as the primary holds them when the message is applied. It
   * is needed for messages written while the secondary did not say what its tables are (see
   * `queueMirror`), which carry rows with the primary's columns: without it they are
   * retried, then dead-lettered. And a message the secondary's foreign keys refuse because
   * the backfill has not copied its rows' parents yet is applied once they are copied from it.
   */
  primary?: DatabaseAdapter;
  /**
   * The queue's `max_retries` (wrangler.toml). Default `3`, Cloudflare's default. A
   * failure on attempt `maxRetries + 1` is the last one: it is recorded as dead-lettered.
   */
  maxRetries?: number;
  /** Delay before a failed message is delivered again. Default: the queue's `retry_delay`. */
  retryDelaySeconds?: number;
  /** Primary-key columns by table, for per-row ordering; tables not listed are keyed by `id`. */
  keys?: KeyColumns;
  /** Counters to add to, e.g. the `stats` of the `queueMirror` in the same process. */
  stats?: MirrorStats;
  /** Called for every failed delivery; the last one is also written to `_switchyard_mirror_errors`. */
  onError?: (failure: MirrorDeliveryError) => void;
}

/** A queue handler that applies mirror messages, with the figures it keeps. */
export interface MirrorConsumer {
  (batch: MessageBatchLike): Promise<void>;
  readonly stats: MirrorStats;
  getMetrics(): MirrorMetrics;
}

/**
 * A Cloudflare Queues handler (`queue(batch, env)`) that applies `queueMirror()` messages
 * to the secondary. Each operation applies at most once (its id is recorded in the same
 * transaction or batch as its statements), so redelivered messages are acknowledged
 * without effect. Per message: `ack()` once applied (or recognised as a duplicate or
 * stale), `retry()` when it failed; a message that fails every attempt moves to the
 * queue's dead-letter queue and its error is written to `_switchyard_mirror_errors`
 * (kind `'dead-letter'`) with the message. One failing message never holds back the rest.
 *
 * @example
 * ```ts
 * export default {
 *   async queue(batch, env) {
 *     const secondary = createPostgresAdapter(env.HYPERDRIVE.connectionString);
 *     await createMirrorConsumer(secondary, { primary: createD1Adapter(env.DB), maxRetries: 3 })(batch);
 *   },
 * };
 * ```
 */
export function createMirrorConsumer(secondary: DatabaseAdapter, options: MirrorConsumerOptions = {}): MirrorConsumer {
  const stats = options.stats ?? new MirrorStats('queue');
  const maxAttempts = (options.maxRetries ?? 3) + 1;
  const retry = (msg: QueueMessageLike) =>
    options.retryDelaySeconds === undefined ? msg.retry() : msg.retry({ delaySeconds: options.retryDelaySeconds });

  const fail = async (msg: QueueMessageLike, error: Error, op: MirrorOp | undefined): Promise<void> => {
    const final = msg.attempts >= maxAttempts;
    if (final) {
      stats.count('deadLettered');
      try {
        await ensureSecondaryTables(secondary);
        const record = op
          ? errorRecord(op, 'dead-letter', error.message, msg.attempts)
          : {
              sql: `INSERT INTO ${MIRROR_ERRORS_TABLE} (op_id, kind, seq, attempts, error, payload, recorded_at) VALUES (?, ?, NULL, ?, ?, ?, ?)`,
              params: [msg.id, 'dead-letter', msg.attempts, error.message, safeJson(msg.body), Date.now()],
            };
        await secondary.execute(record.sql, record.params);
      } catch (recordError) {
        // The secondary is unreachable: the message still goes to the dead-letter queue,
        // and the error must reach someone.
        if (!options.onError) console.error(`switchyard mirror: message ${msg.id} dead-lettered: ${error.message}`, recordError);
      }
    } else {
      stats.count('retried');
    }
    options.onError?.({ messageId: msg.id, opId: op?.opId, attempts: msg.attempts, error, final });
    retry(msg);
  };

  const consumer = async (batch: MessageBatchLike): Promise<void> => {
    const now = Date.now();
    const parsed: { msg: QueueMessageLike; op: MirrorOp }[] = [];
    for (const msg of batch.messages) {
      try {
        parsed.push({ msg, op: fromMessage(msg.body) });
      } catch (error) {
        await fail(msg, error as Error, undefined);
      }
    }
    sampleBacklog(stats, batch, now);
    // Oldest first, so writes to one row delivered in the same batch apply in order.
    parsed.sort((a, b) => a.op.seq - b.op.seq);
    // A schema change is applied before the rows after it are built for the tables it makes.
    for (const run of afterEachSchemaChange(parsed)) await applyRun(run);
  };

  const applyRun = async (parsed: { msg: QueueMessageLike; op: MirrorOp }[]): Promise<void> => {
    const ready = await withStatements(parsed, secondary, options.primary, fail);
    // The watermark is read before the rows: every write sent before it is in what is read.
    const applyOptions = { repairFrom: options.primary, watermark: () => nextSequence(), keys: options.keys };
    const results = await applyWithDependents(
      secondary,
      ready.map((p) => p.op),
      applyOptions,
      options.primary,
    );
    const catalog = new TableCatalog();
    const repairFrom = options.primary;
    for (const [i, first] of results.entries()) {
      const { msg, op } = ready[i]!;
      // A parent the backfill has not copied yet is copied from the primary, as a dual write does.
      const result =
        ('error' in first && repairFrom && (await applyAfterParents(secondary, op, first, catalog, { ...applyOptions, repairFrom }))) ||
        first;
      if ('error' in result) {
        await fail(msg, result.error, op);
        continue;
      }
      if (result.outcome === 'applied') stats.count('applied');
      else if (result.outcome === 'duplicate') stats.count('duplicates');
      else {
        stats.count('stale');
        if (result.outcome === 'repaired') stats.count('repaired');
      }
      msg.ack();
    }
  };
  return Object.assign(consumer, { stats, getMetrics: () => stats.snapshot() });
}

/** `parsed` in runs that each end with a schema change (one run when there is none). */
function afterEachSchemaChange<T extends { op: MirrorOp }>(parsed: T[]): T[][] {
  const runs: T[][] = [[]];
  for (const p of parsed) {
    runs.at(-1)!.push(p);
    if (changesSchema(p.op)) runs.push([]);
  }
  return runs.filter((r) => r.length > 0);
}

/**
 * The messages with the rows a writer sent with the primary's columns (it could not read the
 * secondary's tables in time, see `queueMirror`) turned into statements, as an outbox drain
 * turns its entries'; a message that cannot be is failed (retried, then dead-lettered).
 */
async function withStatements(
  parsed: { msg: QueueMessageLike; op: MirrorOp }[],
  secondary: DatabaseAdapter,
  primary: DatabaseAdapter | undefined,
  fail: (msg: QueueMessageLike, error: Error, op: MirrorOp) => Promise<void>,
): Promise<{ msg: QueueMessageLike; op: MirrorOp }[]> {
  if (!parsed.some((p) => p.op.captured)) return parsed;
  // Read for this batch only: the tables may have changed since the last.
  const catalog = new TableCatalog();
  const ready: { msg: QueueMessageLike; op: MirrorOp }[] = [];
  for (const { msg, op } of parsed) {
    if (!op.captured) ready.push({ msg, op });
    else if (!primary) await fail(msg, capturedWithoutPrimary(op, secondary), op);
    else {
      try {
        ready.push({ msg, op: (await resolveCaptured(primary, secondary, catalog, [op]))[0]! });
      } catch (error) {
        await fail(msg, toError(error), op);
      }
    }
  }
  return ready;
}

function capturedWithoutPrimary(op: MirrorOp, secondary: DatabaseAdapter): InvalidArgumentError {
  return new InvalidArgumentError(
    `Message ${op.opId} carries rows with the primary's columns, not ${secondary.name}'s statements: its writer could not ` +
      `read ${secondary.name}'s tables in time, or found a table missing there (its definition still on the way). Give createMirrorConsumer the primary ({ primary }) to build them; ` +
      'until then it is retried, then dead-lettered with its rows in _switchyard_mirror_errors.',
  );
}

function sampleBacklog(stats: MirrorStats, batch: MessageBatchLike, now: number): void {
  const metrics = batch.metadata?.metrics;
  const timestamps = batch.messages.map((m) => m.timestamp.getTime());
  const oldestQueued = metrics?.oldestMessageTimestamp === undefined ? undefined : Number(metrics.oldestMessageTimestamp);
  if (oldestQueued !== undefined && oldestQueued > 0) timestamps.push(oldestQueued);
  const oldest = timestamps.length > 0 ? Math.min(...timestamps) : undefined;
  stats.sample((metrics?.backlogCount ?? 0) + batch.messages.length, oldest, now);
}

function safeJson(value: unknown): string {
  try {
    return JSON.stringify(value) ?? String(value);
  } catch {
    return String(value);
  }
}
