import type { Statement } from '@switchyard/core';
import { MirrorSendError } from './mirror-errors';
import { MirrorStats } from './mirror-metrics';
import { toMessage, type MirrorOp, type MovedKeys } from './mirror-op';
import type { RowRef } from '../row-ref';
import type { Mirror, PreparedWrite } from './mirror-types';
import { createOpId, nextSequence } from './op-id';
import type { CapturedRows } from './outbox-captured';
import type { QueueProducerLike } from './queue-types';

/** Options of {@link queueMirror}. */
export interface QueueMirrorOptions {
  /** Extra attempts at `send()` before giving up with a {@link MirrorSendError}. Default `2`. */
  sendRetries?: number;
  /**
   * Send in the background instead of on the request path: each send is handed to this
   * function, e.g. a Worker's `ctx.waitUntil`, and `commit()` returns at once. A send that
   * fails is kept in `failedSends` and counted, as an awaited one is. Default: `commit()`
   * awaits the send and throws {@link MirrorSendError} when it fails.
   */
  waitUntil?: (promise: Promise<unknown>) => void;
  /** Called when a background send (see `waitUntil`) failed; the operation is in `failedSends`. */
  onSendError?: (error: MirrorSendError) => void;
  /** Shared counters, e.g. with a consumer in the same process. Default: new ones. */
  stats?: MirrorStats;
}

/** A mirror that sends operations to a Cloudflare Queue (see {@link queueMirror}). */
export interface QueueMirror extends Mirror {
  readonly kind: 'queue';
  /** Operations whose send failed after their primary write, oldest first. */
  readonly failedSends: readonly MirrorOp[];
  /** Sends the failed operations again; returns how many went out. */
  resendFailed(): Promise<number>;
  /** Resolves when every background send (see `waitUntil`) has finished. */
  settled(): Promise<void>;
}

// Cloudflare Queues accept messages up to 128 KB.
const MAX_MESSAGE_BYTES = 128_000;
const encoder = new TextEncoder();

/**
 * A mirror that sends each write, after the primary committed it, to a Cloudflare Queue
 * as one JSON message `{ v, opId, seq, createdAt, statements }`. `seq` is taken at send
 * time (microseconds, strictly increasing in the process), so for one row it follows the
 * order of the primary's commits; `createMirrorConsumer()` applies the messages. A write
 * made while the secondary does not say what its tables are (down or hung when the app
 * or isolate started) is not held up: its message carries the rows with the primary's
 * columns (`captured`), which a consumer given the primary turns into statements.
 *
 * @example
 * ```ts
 * export default {
 *   async fetch(req, env, ctx) {
 *     const db = createDualWriteAdapter(createD1Adapter(env.DB), createPostgresAdapter(env.HYPERDRIVE.connectionString), {
 *       secondaryWrites: 'async',
 *       mirror: queueMirror(env.MIRROR_QUEUE, { waitUntil: (p) => ctx.waitUntil(p) }),
 *     });
 *   },
 * };
 * ```
 */
export function queueMirror(queue: QueueProducerLike, options: QueueMirrorOptions = {}): QueueMirror {
  const stats = options.stats ?? new MirrorStats('queue');
  const retries = options.sendRetries ?? 2;
  const failed: MirrorOp[] = [];
  const inFlight = new Set<Promise<unknown>>();

  const send = async (op: MirrorOp): Promise<void> => {
    const message = toMessage(op);
    const bytes = encoder.encode(JSON.stringify(message)).length;
    if (bytes > MAX_MESSAGE_BYTES) {
      throw new MirrorSendError(
        op,
        new RangeError(
          `the message is ${bytes} bytes and Cloudflare Queues accept ${MAX_MESSAGE_BYTES}; split the write, or mirror large writes with outboxMirror()`,
        ),
      );
    }
    let lastError: unknown;
    for (let attempt = 0; attempt <= retries; attempt++) {
      try {
        await queue.send(message, { contentType: 'json' });
        return;
      } catch (error) {
        lastError = error;
      }
    }
    throw new MirrorSendError(op, lastError);
  };

  const sendOrKeep = async (op: MirrorOp): Promise<void> => {
    try {
      await send(op);
    } catch (error) {
      failed.push(op);
      stats.count('sendFailures');
      throw error;
    }
  };

  return {
    kind: 'queue',
    stats,
    get failedSends() {
      return [...failed];
    },
    async prepare(
      statements: readonly Statement[],
      primaryStatements: readonly Statement[] = statements,
      rows?: RowRef[],
      captured?: CapturedRows[],
      moves?: MovedKeys[],
      deleted?: RowRef[],
    ): Promise<PreparedWrite> {
      const op: MirrorOp = { opId: createOpId(), seq: 0, createdAt: 0, statements: [...statements] };
      if (rows) op.rows = rows;
      // Only when the writer could not read the secondary's tables: a consumer given the primary builds their statements.
      if (captured?.length) op.captured = captured;
      if (moves?.length) op.moves = moves;
      if (deleted?.length) op.deleted = deleted;
      // The primary runs the write alone; the message goes out once it committed.
      return { statements: [...primaryStatements], op, resultCount: primaryStatements.length };
    },
    async commit(op: MirrorOp): Promise<void> {
      // Taken after the primary committed: two writes to one row get seqs in commit order.
      op.seq = nextSequence();
      op.createdAt = Date.now();
      stats.count('enqueued');
      if (!options.waitUntil) return sendOrKeep(op);
      // The failure is kept and counted in sendOrKeep; nobody awaits this promise's error.
      const pending = sendOrKeep(op).catch((error: MirrorSendError) => options.onSendError?.(error));
      inFlight.add(pending);
      void pending.finally(() => inFlight.delete(pending));
      options.waitUntil(pending);
    },
    async resendFailed(): Promise<number> {
      let sent = 0;
      while (failed.length > 0) {
        await send(failed[0]!);
        failed.shift();
        sent++;
      }
      return sent;
    },
    async settled(): Promise<void> {
      while (inFlight.size > 0) await Promise.all([...inFlight]);
    },
    getMetrics: () => stats.snapshot(),
    sampleMetrics: async () => stats.snapshot(),
    resetMetrics: () => stats.reset(),
  };
}
