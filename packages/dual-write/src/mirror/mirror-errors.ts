import { SwitchyardError, type DialectName } from '@switchyard/core';
import type { MirrorOp } from './mirror-op';

/**
 * A mirrored operation could not be applied to the secondary. It is not lost: it stays
 * in the outbox (the drain stops at it, keeping order) or goes back to the queue (and,
 * after the last retry, to the dead-letter queue).
 *
 * @example
 * ```ts
 * try { await drainOutbox(secondary, { mirror }); }
 * catch (e) { if (e instanceof MirrorApplyError) console.error(e.opId, e.cause); }
 * ```
 */
export class MirrorApplyError extends SwitchyardError {
  /** The operation that failed. */
  readonly opId: string;
  /** Its sequence. */
  readonly seq: number;

  constructor(op: Pick<MirrorOp, 'opId' | 'seq'>, target: { name: string; dialect: DialectName }, cause: unknown) {
    const reason = causeClause(cause);
    super(
      'SECONDARY_WRITE_FAILED',
      `Applying mirrored operation ${op.opId} (seq ${op.seq}) to ${target.name} failed: ${reason}. ` +
        'The primary has the write and the operation is kept for another attempt: fix the cause on the secondary ' +
        '(schema, constraint, connectivity) and drain again, or read it from the dead-letter queue.',
      { dialect: target.dialect, sql: cause instanceof SwitchyardError ? cause.sql : undefined, cause },
    );
    this.opId = op.opId;
    this.seq = op.seq;
  }
}

/**
 * The primary write succeeded but its operation could not be sent to the queue. The
 * operation is kept by the mirror: `mirror.resendFailed()` sends it again.
 *
 * @example
 * ```ts
 * catch (e) { if (e instanceof MirrorSendError) await mirror.resendFailed(); }
 * ```
 */
export class MirrorSendError extends SwitchyardError {
  /** The operation that was not sent. */
  readonly op: MirrorOp;

  constructor(op: MirrorOp, cause: unknown) {
    const reason = causeClause(cause);
    super(
      'SECONDARY_WRITE_FAILED',
      `The primary write happened, but sending operation ${op.opId} to the mirror queue failed: ${reason}. ` +
        'It is kept in memory: call mirror.resendFailed() to send it again (or use outboxMirror() for a mirror ' +
        'that survives a crash between the write and the send).',
      { cause },
    );
    this.op = op;
  }
}

/**
 * A cause's message as a clause for another sentence: without its closing period, which
 * the sentence around it supplies.
 *
 * @example
 * ```ts
 * causeClause(new Error('CHECK constraint failed.')); // 'CHECK constraint failed'
 * ```
 */
export function causeClause(cause: unknown): string {
  return (cause instanceof Error ? cause.message : String(cause)).replace(/\.$/, '');
}
