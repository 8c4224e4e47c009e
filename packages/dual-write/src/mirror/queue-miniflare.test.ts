import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { Miniflare, Response, type Request } from 'miniflare';
import type { DatabaseAdapter } from '@switchyard/core';
import { createD1Adapter } from '@switchyard/d1';
import { createPostgresAdapter } from '@switchyard/postgres';
import { createTestDatabase, type TestDatabase } from '@switchyard/testkit/postgres-server';
import { createDualWriteAdapter } from '../../test/patient-dual-write';
import type { DualWriteAdapter } from '../dual-write-adapter';
import { createMirrorConsumer, type MirrorConsumer } from './mirror-consumer';
import { MirrorStats } from './mirror-metrics';
import { toMessage } from './mirror-op';
import { MIRROR_ERRORS_TABLE } from './mirror-schema';
import { appSchema, createTables, expectSameRows, seedCounters, workload } from '../../test/mirror/mirror-test-kit';
import { nextSequence } from './op-id';
import { queueMirror, type QueueMirror } from './queue-mirror';
import type { MessageBatchLike, QueueProducerLike } from './queue-types';

// The worker's queue handler hands each batch to Node (a service binding to a function
// in this process) and acks or retries each message as Node decided: the consumer runs
// here against a real Postgres, while Miniflare's Queues do delivery, retries and
// dead-lettering for real. A non-2xx answer makes the handler throw, so the whole batch
// is delivered again, as after a crashed consumer.
const WORKER = `
export default {
  fetch() { return new Response('ok'); },
  async queue(batch, env) {
    const res = await env.NODE.fetch('http://node/' + batch.queue, {
      method: 'POST',
      body: JSON.stringify({
        queue: batch.queue,
        metadata: batch.metadata ?? null,
        messages: batch.messages.map((m) => ({ id: m.id, timestamp: m.timestamp.getTime(), body: m.body, attempts: m.attempts })),
      }),
    });
    if (!res.ok) throw new Error('consumer crashed: ' + (await res.text()));
    const decisions = await res.json();
    for (const m of batch.messages) decisions[m.id] === 'ack' ? m.ack() : m.retry();
  },
};`;

interface Delivered {
  queue: string;
  metadata: MessageBatchLike['metadata'] | null;
  messages: { id: string; timestamp: number; body: unknown; attempts: number }[];
}

describe('queue mirror: D1 primary, Miniflare Queues, Postgres secondary', () => {
  let mf: Miniflare;
  let database: TestDatabase;
  let primary: DatabaseAdapter;
  let secondary: DatabaseAdapter;
  let producer: QueueProducerLike;
  let stats: MirrorStats;
  let mirror: QueueMirror;
  let consumer: MirrorConsumer;
  /** What the app writes through: D1 primary, Postgres secondary, writes mirrored through the queue. */
  let app: DualWriteAdapter;
  /** When set, the next mirror batch is applied and then the consumer "crashes" before answering. */
  let crashAfterApply = false;
  const deadLetters: Delivered['messages'] = [];
  const failures: { opId?: string; attempts: number; final: boolean; message: string }[] = [];
  const tables = ['accounts', 'counters'];

  const handle = async (delivered: Delivered): Promise<Record<string, 'ack' | 'retry'>> => {
    const decisions: Record<string, 'ack' | 'retry'> = {};
    if (delivered.queue === 'mirror-dlq') {
      deadLetters.push(...delivered.messages);
      for (const m of delivered.messages) decisions[m.id] = 'ack';
      return decisions;
    }
    await consumer({
      queue: delivered.queue,
      metadata: delivered.metadata ?? undefined,
      messages: delivered.messages.map((m) => ({
        ...m,
        timestamp: new Date(m.timestamp),
        ack: () => (decisions[m.id] = 'ack'),
        retry: () => (decisions[m.id] = 'retry'),
      })),
    });
    return decisions;
  };

  const newConsumer = () =>
    createMirrorConsumer(secondary, {
      primary,
      maxRetries: 2,
      stats,
      onError: (f) => failures.push({ opId: f.opId, attempts: f.attempts, final: f.final, message: f.error.message }),
    });

  const waitFor = async (what: string, done: () => boolean | Promise<boolean>, timeoutMs = 15_000) => {
    const start = Date.now();
    while (!(await done())) {
      if (Date.now() - start > timeoutMs) throw new Error(`Timed out waiting for ${what}: ${JSON.stringify(stats.snapshot())}`);
      await new Promise((r) => setTimeout(r, 20));
    }
  };

  beforeAll(async () => {
    database = await createTestDatabase();
    mf = new Miniflare({
      modules: true,
      script: WORKER,
      d1Databases: { DB: `mirror-${Date.now().toString(36)}` },
      d1Persist: false,
      queueProducers: { MIRROR: { queueName: 'mirror' } },
      queueConsumers: {
        mirror: { maxBatchSize: 25, maxBatchTimeout: 0, maxRetries: 2, retryDelay: 0, deadLetterQueue: 'mirror-dlq' },
        'mirror-dlq': { maxBatchSize: 25, maxBatchTimeout: 0 },
      },
      serviceBindings: {
        NODE: async (request: Request) => {
          const delivered = (await request.json()) as Delivered;
          const decisions = await handle(delivered);
          if (crashAfterApply && delivered.queue === 'mirror') {
            crashAfterApply = false;
            return new Response('crashed after applying, before acknowledging', { status: 500 });
          }
          return Response.json(decisions);
        },
      },
    });
    primary = createD1Adapter(await mf.getD1Database('DB'));
    secondary = createPostgresAdapter(database.url);
    producer = (await mf.getQueueProducer('MIRROR')) as unknown as QueueProducerLike;
    await createTables([primary, secondary], appSchema);
    await seedCounters([primary, secondary]);
    await primary.execute('CREATE TABLE audit (id INTEGER PRIMARY KEY, note TEXT)');
  });

  beforeEach(() => {
    stats = new MirrorStats('queue');
    mirror = queueMirror(producer, { stats });
    app = createDualWriteAdapter(primary, secondary, { secondaryWrites: 'async', mirror });
    consumer = newConsumer();
  });

  afterAll(async () => {
    await secondary?.close();
    await primary?.close();
    await mf?.dispose();
    await database?.drop();
  });

  it('mirrors writes through the queue until both sides are equal', async () => {
    for (const w of workload(40)) await app.batch(w);
    await waitFor('40 applied', () => stats.snapshot().applied === 40);
    await expectSameRows(primary, secondary, tables);
    expect(mirror.getMetrics()).toMatchObject({ enqueued: 40, applied: 40, retried: 0, deadLettered: 0 });
    expect(mirror.getMetrics().sampledAt).toBeGreaterThan(0);
  });

  it('carries the rows D1 left, not its statements: ids and defaults D1 generated arrive as they are', async () => {
    await primary.execute('CREATE TABLE notes (id INTEGER PRIMARY KEY, body TEXT, at TEXT DEFAULT CURRENT_TIMESTAMP)');
    await secondary.execute(
      "CREATE TABLE notes (id bigint GENERATED BY DEFAULT AS IDENTITY PRIMARY KEY, body text, at text DEFAULT 'own')",
    );
    // D1's next id is 42 where the secondary's identity would give 1; replayed statements would also take its own default.
    await primary.execute("INSERT INTO notes (id, body) VALUES (41, 'before the mirror')");
    expect(await app.execute('INSERT INTO notes (body) VALUES (?)', ['a'])).toMatchObject({ rowsAffected: 1, lastInsertId: 42 });
    await app.batch([
      { sql: 'INSERT INTO notes (body) VALUES (?)', params: ['b'] },
      { sql: "UPDATE notes SET body = body || '!' WHERE id = ?", params: [42] },
      { sql: 'DELETE FROM notes WHERE id = ?', params: [43] },
      { sql: 'INSERT INTO notes (body) VALUES (?)', params: ['c'] },
    ]);
    await waitFor('2 applied', () => stats.snapshot().applied === 2);
    const rows = async (side: DatabaseAdapter) =>
      (await side.query<{ id: unknown; body: string; at: string }>('SELECT id, body, at FROM notes WHERE id > 41 ORDER BY id')).map(
        (r) => ({ ...r, id: Number(r.id) }),
      );
    const mirrored = await rows(primary);
    expect(mirrored.map((r) => [r.id, r.body])).toEqual([
      [42, 'a!'],
      [43, 'c'],
    ]);
    expect(mirrored[0]!.at).toMatch(/^\d{4}-\d\d-\d\d \d\d:\d\d:\d\d$/);
    expect(await rows(secondary)).toEqual(mirrored);
    expect(app.getMetrics()).toMatchObject({ replicatedByRow: 5, replicatedByStatement: 0 });
  });

  it('sends in the background through waitUntil, as a Worker does with ctx.waitUntil', async () => {
    const background: Promise<unknown>[] = [];
    mirror = queueMirror(producer, { stats, waitUntil: (p) => background.push(p) });
    app = createDualWriteAdapter(primary, secondary, { secondaryWrites: 'async', mirror });
    for (const w of workload(50).slice(40)) await app.batch(w);
    expect(background).toHaveLength(10);
    await mirror.settled();
    await waitFor('10 applied', () => stats.snapshot().applied === 10);
    expect(mirror.failedSends).toEqual([]);
    await expectSameRows(primary, secondary, tables);
  });

  it('acknowledges a duplicate delivery without applying it again', async () => {
    const increment = [{ sql: 'UPDATE counters SET n = n + 100 WHERE id = ?', params: [1] }];
    const prepared = await mirror.prepare(increment);
    await primary.batch(prepared.statements);
    await mirror.commit(prepared.op);
    // At-least-once delivery: the same message arrives again, twice.
    await producer.send(toMessage(prepared.op), { contentType: 'json' });
    await producer.send(toMessage(prepared.op), { contentType: 'json' });
    await waitFor('1 applied + 2 duplicates', () => stats.snapshot().applied === 1 && stats.snapshot().duplicates === 2);
    await expectSameRows(primary, secondary, tables);
  });

  it('sends a message failing three times to the dead-letter queue with its error, without blocking the rest', async () => {
    // The secondary lacks the audit table: this message fails on every attempt.
    const poison = await mirror.prepare([{ sql: 'INSERT INTO audit (id, note) VALUES (?, ?)', params: [1, 'poison'] }]);
    await primary.batch(poison.statements);
    await mirror.commit(poison.op);
    for (const w of workload(70).slice(50)) await app.batch(w);
    await waitFor('the poison message in the dead-letter queue', () => deadLetters.length === 1);
    await waitFor('the other 20 applied', () => stats.snapshot().applied === 20);
    expect(failures.filter((f) => f.opId === poison.op.opId).map((f) => [f.attempts, f.final])).toEqual([
      [1, false],
      [2, false],
      [3, true],
    ]);
    expect(stats.snapshot()).toMatchObject({ retried: 2, deadLettered: 1 });
    const [recorded] = await secondary.query<{ op_id: string; kind: string; attempts: number; error: string }>(
      `SELECT op_id, kind, attempts, error FROM ${MIRROR_ERRORS_TABLE} WHERE kind = 'dead-letter'`,
    );
    expect(recorded).toMatchObject({ op_id: poison.op.opId, attempts: 3 });
    expect(recorded!.error).toMatch(/audit/);
    expect(deadLetters[0]!.body).toMatchObject({ opId: poison.op.opId });

    // Once the cause is fixed, the dead letter is sent back to the queue and applied.
    await secondary.execute('CREATE TABLE audit (id INTEGER PRIMARY KEY, note TEXT)');
    await producer.send(deadLetters[0]!.body, { contentType: 'json' });
    await waitFor('the replayed dead letter applied', () => stats.snapshot().applied === 21);
    await expectSameRows(primary, secondary, [...tables, 'audit']);
  });

  it('repairs a write delivered after a newer write to the same row', async () => {
    const insert = await mirror.prepare([
      { sql: 'INSERT INTO accounts (id, name, balance, active) VALUES (?, ?, ?, ?)', params: [900, 'first', 1, true] },
    ]);
    await primary.batch(insert.statements);
    const update = await mirror.prepare([{ sql: 'UPDATE accounts SET name = ? WHERE id = ?', params: ['second', 900] }]);
    await primary.batch(update.statements);
    insert.op.seq = nextSequence();
    update.op.seq = nextSequence();
    // The queue delivers the update first (a retry or a second consumer can do this).
    await producer.send(toMessage(update.op), { contentType: 'json' });
    await waitFor('the update applied', () => stats.snapshot().applied === 1);
    await producer.send(toMessage(insert.op), { contentType: 'json' });
    await waitFor('the insert repaired', () => stats.snapshot().repaired === 1);
    await expectSameRows(primary, secondary, tables);
    const [recorded] = await secondary.query<{ kind: string }>(`SELECT kind FROM ${MIRROR_ERRORS_TABLE} WHERE op_id = ?`, [insert.op.opId]);
    expect(recorded).toEqual({ kind: 'repaired' });
  });

  it('loses and repeats nothing when the consumer crashes after applying a batch and restarts', async () => {
    crashAfterApply = true;
    for (const w of workload(90).slice(70)) await app.batch(w);
    // A new consumer, as after a restart, receives the redelivered batch.
    await waitFor('the crash', () => !crashAfterApply);
    consumer = newConsumer();
    await waitFor('20 writes applied once', () => stats.snapshot().applied === 20 && stats.snapshot().duplicates > 0);
    await expectSameRows(primary, secondary, tables);
  });
});
