/**
 * `@switchyard/dual-write/mirror`: the asynchronous mirror of `secondaryWrites: 'async'`.
 * An outbox table in the primary (`outboxMirror`, applied by `drainOutbox`) or a
 * Cloudflare Queue (`queueMirror`, applied by `createMirrorConsumer`), their options,
 * figures and errors.
 *
 * @packageDocumentation
 */
export { outboxMirror, type OutboxMirror, type OutboxMirrorOptions } from './outbox-mirror';
export { drainOutbox, resolveOutboxOps, type DrainOutboxOptions, type DrainProgress } from './outbox-drain';
export { queueMirror, type QueueMirror, type QueueMirrorOptions } from './queue-mirror';
export { createMirrorConsumer, type MirrorConsumer, type MirrorConsumerOptions, type MirrorDeliveryError } from './mirror-consumer';
export type { MessageBatchLike, QueueMessageLike, QueueProducerLike } from './queue-types';
export { pruneAppliedOps } from './applied-ops-prune';
export { MirrorApplyError, MirrorSendError } from './mirror-errors';
export { UntranslatedEntryError, type EntryTranslation } from './entry-translations';
export { MirrorStats, type MirrorMetrics } from './mirror-metrics';
export type { Mirror, PreparedWrite } from './mirror-types';
export type { MirrorMessage, MirrorOp, MovedKeys, UpdatedRow } from './mirror-op';
export type { Translation } from '../_internal/translated-definitions';
export type { CapturedRows } from './outbox-captured';
export type { WireParam, WireStatement } from './value-codec';
export type { KeyColumns, RowRef } from '../row-ref';
