/**
 * The slice of a Cloudflare Queue producer binding (`env.MY_QUEUE`) the mirror uses;
 * re-declared so this package needs no Workers types.
 */
export interface QueueProducerLike {
  send(body: unknown, options?: { contentType?: 'json' | 'v8' | 'text' | 'bytes'; delaySeconds?: number }): Promise<unknown>;
}

/** The slice of a delivered queue message the consumer uses. */
export interface QueueMessageLike {
  readonly id: string;
  readonly timestamp: Date;
  readonly body: unknown;
  /** 1 on the first delivery. */
  readonly attempts: number;
  ack(): void;
  retry(options?: { delaySeconds?: number }): void;
}

/** The slice of a queue handler's `MessageBatch` the consumer uses. */
export interface MessageBatchLike {
  readonly queue: string;
  readonly messages: readonly QueueMessageLike[];
  /** Backlog figures the Queues runtime attaches to a batch, when it does. */
  readonly metadata?: { metrics?: { backlogCount?: number; oldestMessageTimestamp?: Date | number } };
}
