import * as mirror from './mirror/index';

// The mirror's public names as the package root exported them before
// `@switchyard/dual-write/mirror` existed; kept so those imports still work.

/** @deprecated Import `outboxMirror` from `@switchyard/dual-write/mirror`. */
export const outboxMirror = mirror.outboxMirror;
/** @deprecated Import `drainOutbox` from `@switchyard/dual-write/mirror`. */
export const drainOutbox = mirror.drainOutbox;
/** @deprecated Import `queueMirror` from `@switchyard/dual-write/mirror`. */
export const queueMirror = mirror.queueMirror;
/** @deprecated Import `createMirrorConsumer` from `@switchyard/dual-write/mirror`. */
export const createMirrorConsumer = mirror.createMirrorConsumer;
/** @deprecated Import `pruneAppliedOps` from `@switchyard/dual-write/mirror`. */
export const pruneAppliedOps = mirror.pruneAppliedOps;
/** @deprecated Import `MirrorApplyError` from `@switchyard/dual-write/mirror`. */
export const MirrorApplyError = mirror.MirrorApplyError;
/** @deprecated Import `MirrorApplyError` from `@switchyard/dual-write/mirror`. */
export type MirrorApplyError = mirror.MirrorApplyError;
/** @deprecated Import `MirrorSendError` from `@switchyard/dual-write/mirror`. */
export const MirrorSendError = mirror.MirrorSendError;
/** @deprecated Import `MirrorSendError` from `@switchyard/dual-write/mirror`. */
export type MirrorSendError = mirror.MirrorSendError;
/** @deprecated Import `Mirror` from `@switchyard/dual-write/mirror`. */
export type Mirror = mirror.Mirror;
/** @deprecated Import `MirrorMetrics` from `@switchyard/dual-write/mirror`. */
export type MirrorMetrics = mirror.MirrorMetrics;
/** @deprecated Import `OutboxMirror` from `@switchyard/dual-write/mirror`. */
export type OutboxMirror = mirror.OutboxMirror;
/** @deprecated Import `OutboxMirrorOptions` from `@switchyard/dual-write/mirror`. */
export type OutboxMirrorOptions = mirror.OutboxMirrorOptions;
/** @deprecated Import `DrainOutboxOptions` from `@switchyard/dual-write/mirror`. */
export type DrainOutboxOptions = mirror.DrainOutboxOptions;
/** @deprecated Import `DrainProgress` from `@switchyard/dual-write/mirror`. */
export type DrainProgress = mirror.DrainProgress;
/** @deprecated Import `QueueMirror` from `@switchyard/dual-write/mirror`. */
export type QueueMirror = mirror.QueueMirror;
/** @deprecated Import `QueueMirrorOptions` from `@switchyard/dual-write/mirror`. */
export type QueueMirrorOptions = mirror.QueueMirrorOptions;
/** @deprecated Import `MirrorConsumer` from `@switchyard/dual-write/mirror`. */
export type MirrorConsumer = mirror.MirrorConsumer;
/** @deprecated Import `MirrorConsumerOptions` from `@switchyard/dual-write/mirror`. */
export type MirrorConsumerOptions = mirror.MirrorConsumerOptions;
/** @deprecated Import `QueueProducerLike` from `@switchyard/dual-write/mirror`. */
export type QueueProducerLike = mirror.QueueProducerLike;
