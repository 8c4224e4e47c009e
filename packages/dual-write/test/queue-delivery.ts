import type { MessageBatchLike, QueueProducerLike } from '../src/mirror';

/**
 * A queue producer that keeps what it is sent, and a delivery of everything kept, in
 * order, as one batch to a consumer: returns the ids of the messages not acknowledged.
 */
export function collectingQueue(): {
  producer: QueueProducerLike;
  deliver: (consumer: (batch: MessageBatchLike) => Promise<void>) => Promise<string[]>;
} {
  const sent: unknown[] = [];
  const producer: QueueProducerLike = { send: async (body) => void sent.push(body) };
  const deliver = async (consumer: (batch: MessageBatchLike) => Promise<void>): Promise<string[]> => {
    const unacked = new Set<string>();
    const messages = sent.splice(0).map((body, i) => ({
      id: `m${i}`,
      timestamp: new Date(),
      body,
      attempts: 1,
      ack: () => unacked.delete(`m${i}`),
      retry: () => unacked.add(`m${i}`),
    }));
    for (const m of messages) unacked.add(m.id);
    await consumer({ queue: 'mirror', messages });
    return [...unacked];
  };
  return { producer, deliver };
}
