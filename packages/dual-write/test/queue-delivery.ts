import type { DatabaseAdapter } from '@switchyard/core';
import { createD1Adapter } from '@switchyard/d1';
import { createTestD1 } from '@switchyard/testkit/d1';
import { createDualWriteAdapter } from './patient-dual-write';
import { queueMirror, type MessageBatchLike, type QueueProducerLike } from '../src/mirror';
import { openSide } from './open-side';
import type { TwoDatabases } from './two-databases';

type Consumer = (batch: MessageBatchLike) => Promise<void>;

/**
 * A queue producer that keeps what it is sent, and a delivery of everything kept, in
 * order, as one batch to a consumer: returns the ids of the messages not acknowledged.
 * With `keep`, the messages stay to be delivered again.
 */
export function collectingQueue(): { producer: QueueProducerLike; deliver: (consumer: Consumer, keep?: boolean) => Promise<string[]> } {
  const sent: unknown[] = [];
  const producer: QueueProducerLike = { send: async (body) => void sent.push(body) };
  const deliver = async (consumer: Consumer, keep = false): Promise<string[]> => {
    const unacked = new Set<string>();
    const messages = (keep ? [...sent] : sent.splice(0)).map((body, i) => ({
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

/** What {@link withQueuePair} hands its test: both sides, dual write through a collecting queue, and its delivery. */
export interface QueuePair {
  primary: DatabaseAdapter;
  secondary: DatabaseAdapter;
  dual: DatabaseAdapter;
  deliver: (consumer: Consumer) => Promise<string[]>;
}

/**
 * Runs `test` on a D1 (Miniflare) primary or the pair's SQLite side, with its foreign keys,
 * and the pair's second Postgres database without them, each made by `create`; D1 is
 * disposed of after.
 */
export async function withQueuePair(
  from: 'd1' | 'sqlite',
  dbs: TwoDatabases,
  opened: DatabaseAdapter[],
  create: (adapter: DatabaseAdapter, foreignKeys: boolean) => Promise<DatabaseAdapter>,
  test: (pair: QueuePair) => Promise<void>,
): Promise<void> {
  const d1 = from === 'd1' ? await createTestD1() : undefined;
  const primary = d1 ? createD1Adapter(d1.binding, { name: 'd1' }) : openSide(dbs, 'sqlite', 'a', opened);
  try {
    await create(primary, true);
    const secondary = await create(openSide(dbs, 'postgres', 'b', opened), false);
    const { producer, deliver } = collectingQueue();
    const dual = createDualWriteAdapter(primary, secondary, { secondaryWrites: 'async', mirror: queueMirror(producer) });
    await test({ primary, secondary, dual, deliver });
  } finally {
    if (d1) {
      await primary.close();
      await d1.dispose();
    }
  }
}
