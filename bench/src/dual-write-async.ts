/**
 * Async mode (secondaryWrites: 'async'): the app waits for the primary and the mirror's
 * share of the write only (the outbox entry in the same transaction, or the queue send),
 * so its latency is compared with the primary alone, and each outbox with its floor (the
 * raw drivers writing the same entry, see outbox-floor.ts), all taking turns insert by
 * insert. Then the other half of the cost: how long the mirror takes to drain the writes
 * into the secondary.
 *
 * Run: pnpm --filter @switchyard/bench dual-write   (BENCH_DW_PART=async for this half alone;
 *      BENCH_ASYNC_OPS=2000, BENCH_ASYNC_ROUNDS=3, BENCH_DRAIN_OPS=100000)
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { DatabaseAdapter } from '@switchyard/core';
import { createD1Adapter } from '@switchyard/d1';
import { createDualWriteAdapter } from '@switchyard/dual-write';
import { drainOutbox, outboxMirror, queueMirror, type Mirror, type QueueProducerLike } from '@switchyard/dual-write/mirror';
import { createPostgresAdapter } from '@switchyard/postgres';
import { createSQLiteAdapter } from '@switchyard/sqlite';
import { createTestDatabase, startTestPostgres } from '@switchyard/testkit/postgres-server';
import { Miniflare } from 'miniflare';
import { figures, PG_DDL, shuffled, SQLITE_DDL, WARMUP, type Figures } from './bench-figures';
import { floorParams, openOutboxFloor, type OutboxFloor } from './outbox-floor';

const ASYNC_OPS = Number(process.env.BENCH_ASYNC_OPS ?? 2000);
const ASYNC_ROUNDS = Number(process.env.BENCH_ASYNC_ROUNDS ?? 3);
const DRAIN_OPS = Number(process.env.BENCH_DRAIN_OPS ?? 100_000);

interface AsyncPair {
  name: string;
  alone: DatabaseAdapter;
  mirrored: DatabaseAdapter;
  /** DDL for the table of each case, in the primary's dialect. */
  ddl: string;
  /** The mirror's secondary, which holds the same table: row images are built for its columns. */
  secondary: DatabaseAdapter;
  secondaryDdl: string;
}

/** The async half of the benchmark: latency against the primary alone and the floor, then the drain. */
export async function asyncMode(): Promise<void> {
  const server = await startTestPostgres();
  const database = await createTestDatabase(server.url);
  const dir = mkdtempSync(join(tmpdir(), 'sy-bench-async-'));
  const sqlite = createSQLiteAdapter(join(dir, 'primary.db'), { name: 'sqlite' });
  const sqliteSecondary = createSQLiteAdapter(join(dir, 'secondary.db'), { name: 'sqlite-secondary' });
  const postgres = createPostgresAdapter(database.url, { name: 'postgres' });
  const mf = new Miniflare({
    modules: true,
    script: 'export default { fetch() { return new Response("ok") } }',
    d1Databases: { DB: 'bench-async' },
    d1Persist: false,
    queueProducers: { MIRROR: { queueName: 'bench-mirror' } },
  });
  const d1Binding = await mf.getD1Database('DB');
  const d1 = createD1Adapter(d1Binding, { name: 'd1' });
  const producer = (await mf.getQueueProducer('MIRROR')) as unknown as QueueProducerLike;
  const background: Promise<unknown>[] = [];
  let floor: OutboxFloor | undefined;
  try {
    const async = (primary: DatabaseAdapter, secondary: DatabaseAdapter, mirror: Mirror) =>
      createDualWriteAdapter(primary, secondary, { secondaryWrites: 'async', mirror });
    const pairs: AsyncPair[] = [
      {
        name: 'SQLite file, outbox',
        alone: sqlite,
        mirrored: async(sqlite, postgres, outboxMirror(sqlite)),
        ddl: SQLITE_DDL,
        secondary: postgres,
        secondaryDdl: PG_DDL,
      },
      {
        name: 'Postgres, outbox',
        alone: postgres,
        mirrored: async(postgres, sqliteSecondary, outboxMirror(postgres)),
        ddl: PG_DDL,
        secondary: sqliteSecondary,
        secondaryDdl: SQLITE_DDL,
      },
      {
        name: 'D1 (Miniflare), outbox',
        alone: d1,
        mirrored: async(d1, postgres, outboxMirror(d1)),
        ddl: SQLITE_DDL,
        secondary: postgres,
        secondaryDdl: PG_DDL,
      },
      {
        name: 'D1 (Miniflare), queue',
        alone: d1,
        mirrored: async(d1, postgres, queueMirror(producer)),
        ddl: SQLITE_DDL,
        secondary: postgres,
        secondaryDdl: PG_DDL,
      },
      {
        name: 'D1, queue + waitUntil',
        alone: d1,
        mirrored: async(d1, postgres, queueMirror(producer, { waitUntil: (p) => background.push(p) })),
        ddl: SQLITE_DDL,
        secondary: postgres,
        secondaryDdl: PG_DDL,
      },
    ];
    floor = await openOutboxFloor(join(dir, 'primary.db'), database.url, d1Binding);
    console.log("\nAsync mode: app-visible latency of sequential single-row INSERTs, primary alone vs secondaryWrites: 'async'");
    console.log(`${ASYNC_ROUNDS} rounds x ${ASYNC_OPS} inserts per case (after ${WARMUP} warm-up inserts)\n`);
    const cases = pairs.flatMap((p) => [
      { pair: p, adapter: p.alone },
      { pair: p, adapter: p.mirrored },
    ]);
    const latencies = cases.map(() => [] as number[]);
    const elapsed = cases.map(() => 0);
    const floorLatencies = floor.runs.map(() => [] as number[]);
    for (let round = 0; round < ASYNC_ROUNDS + 1; round++) {
      const warmup = round === 0;
      for (const [k, c] of cases.entries()) {
        await c.pair.alone.execute(`DROP TABLE IF EXISTS bench_async_${k}`);
        await c.pair.alone.execute(c.pair.ddl.replace('bench_dw', `bench_async_${k}`));
        if (c.adapter === c.pair.alone) continue;
        await c.pair.secondary.execute(`DROP TABLE IF EXISTS bench_async_${k}`);
        await c.pair.secondary.execute(c.pair.secondaryDdl.replace('bench_dw', `bench_async_${k}`));
      }
      await floor.reset();
      const n = warmup ? WARMUP : ASYNC_OPS;
      for (let i = 1; i <= n; i++) {
        const params = [i, `user-${i}`, i * 0.5, i % 2 === 0, new Date(1_700_000_000_000 + i)];
        const raw = floorParams(params);
        // A new order every insert: on a shared disk one engine's fsync slows the next
        // caller's, so no case may always follow the same neighbour.
        for (const k of shuffled(cases.length + floor.runs.length)) {
          if (k >= cases.length) {
            const t0 = performance.now();
            await floor.runs[k - cases.length]!.run(raw);
            if (!warmup) floorLatencies[k - cases.length]!.push(performance.now() - t0);
            continue;
          }
          const c = cases[k]!;
          const sql = `INSERT INTO bench_async_${k} (id, name, score, active, created_at) VALUES (?, ?, ?, ?, ?)`;
          const t0 = performance.now();
          await c.adapter.execute(sql, params);
          const ms = performance.now() - t0;
          if (!warmup) {
            latencies[k]!.push(ms);
            elapsed[k]! += ms / 1000;
          }
        }
      }
      // The mirrors are not drained in this part: the secondaries' tables only give the images their columns.
    }
    await Promise.all(background);
    /** Async p50 / primary-alone p50 of each outbox pair, for the comparison with its floor. */
    const outboxRatios = new Map<string, number>();
    console.log('case                                     p50 ms    p99 ms   mean ms     ops/s   ratio p50 / mean');
    for (let k = 0; k < cases.length; k += 2) {
      const alone = figures(latencies[k]!, elapsed[k]!);
      const mirrored = figures(latencies[k + 1]!, elapsed[k + 1]!);
      const row = (label: string, f: Figures, ratio = '') =>
        console.log(
          `${label.padEnd(40)} ${f.p50.toFixed(3).padStart(7)}  ${f.p99.toFixed(3).padStart(8)}  ${f.mean.toFixed(3).padStart(8)}  ${f.opsPerSecond.toFixed(0).padStart(8)}   ${ratio}`,
        );
      const p50 = mirrored.p50 / alone.p50;
      outboxRatios.set(cases[k]!.pair.name, p50);
      const mean = mirrored.mean / alone.mean;
      row(`${cases[k]!.pair.name}: primary alone`, alone);
      row(
        `${cases[k]!.pair.name}: async`,
        mirrored,
        `${p50.toFixed(3)}x / ${mean.toFixed(3)}x ${p50 <= 1.1 && mean <= 1.1 ? 'ok' : 'OVER TARGET (1.10x)'}`,
      );
    }

    const floors = floor.report(floorLatencies);
    // The figure of merit: the outbox's ratio to the primary alone, over the floor's ratio (target <= 1.10x).
    console.log('\nOutbox against its floor (async p50 ratio / floor p50 ratio):');
    for (const [name, bound] of floors) {
      const ratio = (outboxRatios.get(name) ?? NaN) / bound;
      console.log(`  ${name.padEnd(38)} ${ratio.toFixed(3)}x ${ratio <= 1.1 ? 'ok' : 'OVER TARGET (1.10x)'}`);
    }

    // Drain: DRAIN_OPS writes through an outbox on a SQLite file, then drained into Postgres.
    console.log(`\nDrain: ${DRAIN_OPS} writes in a SQLite outbox, applied to Postgres by drainOutbox (batchSize 1000)`);
    await sqlite.execute('DROP TABLE IF EXISTS bench_drain');
    await postgres.execute('DROP TABLE IF EXISTS bench_drain');
    await sqlite.execute(SQLITE_DDL.replace('bench_dw', 'bench_drain'));
    await postgres.execute(PG_DDL.replace('bench_dw', 'bench_drain'));
    const mirror = outboxMirror(sqlite, { table: 'bench_drain_outbox' });
    const adapter = createDualWriteAdapter(sqlite, postgres, { secondaryWrites: 'async', mirror });
    let t0 = performance.now();
    for (let i = 1; i <= DRAIN_OPS; i++) {
      await adapter.execute('INSERT INTO bench_drain (id, name, score, active, created_at) VALUES (?, ?, ?, ?, ?)', [
        i,
        `user-${i}`,
        i * 0.5,
        i % 2 === 0,
        new Date(1_700_000_000_000 + i),
      ]);
    }
    const writeSeconds = (performance.now() - t0) / 1000;
    const before = await mirror.sampleMetrics();
    t0 = performance.now();
    const drained = await drainOutbox(postgres, { mirror, batchSize: 1000 });
    const drainSeconds = (performance.now() - t0) / 1000;
    const count = await postgres.first<{ n: unknown }>('SELECT COUNT(*) AS n FROM bench_drain');
    console.log(
      `  writes (app side):  ${writeSeconds.toFixed(2)} s  (${(DRAIN_OPS / writeSeconds).toFixed(0)} writes/s); outbox depth ${before.depth}, lag ${(before.lagMs / 1000).toFixed(1)} s`,
    );
    console.log(
      `  drain:              ${drainSeconds.toFixed(2)} s  (${(drained.applied / drainSeconds).toFixed(0)} writes/s), ${drained.batches} batches, ${drained.applied} applied, ${Number(count!.n)} rows in Postgres`,
    );
  } finally {
    await floor?.close();
    await sqlite.close();
    await sqliteSecondary.close();
    await postgres.close();
    await d1.close();
    await mf.dispose();
    await database.drop();
    await server.stop();
    rmSync(dir, { recursive: true, force: true });
  }
}
