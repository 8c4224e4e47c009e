export { createOpId, nextSequence, opIdTime } from './op-id';
export { encodeStatements, decodeStatements, type WireParam, type WireStatement } from './value-codec';
export { rowRefsOf, rowKeyText, type RowRef, type KeyColumns } from './row-ref';
export { collectRowRefs, fromMessage, toMessage, type MirrorMessage, type MirrorOp } from './mirror-op';
export {
  APPLIED_OPS_TABLE,
  MIRROR_ERRORS_TABLE,
  ROW_VERSIONS_TABLE,
  ensureSecondaryTables,
  outboxTableDdl,
  secondaryTablesDdl,
} from './mirror-schema';
export { MirrorStats, type MirrorMetrics } from './mirror-metrics';
export { MirrorApplyError, MirrorSendError } from './mirror-errors';
export { applyOps, errorRecord, type ApplyOptions, type ApplyOutcome, type ApplyResult } from './op-apply';
export { repairStatements } from './row-repair';
export type { Mirror, PreparedWrite } from './mirror-types';
export { outboxMirror, type OutboxMirror, type OutboxMirrorOptions } from './outbox-mirror';
export { drainOutbox, type DrainOutboxOptions, type DrainProgress } from './outbox-drain';
export { pruneAppliedOps } from './applied-ops-prune';
export { queueMirror, type QueueMirror, type QueueMirrorOptions } from './queue-mirror';
export {
  createMirrorConsumer,
  type MirrorConsumer,
  type MirrorConsumerOptions,
  type MirrorDeliveryError,
} from './mirror-consumer';
export type { MessageBatchLike, QueueMessageLike, QueueProducerLike } from './queue-types';
export { recordInTransaction, writeThroughMirror } from './mirror-writes';
