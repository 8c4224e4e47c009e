/**
 * Dual-write overhead, in one run: sequential single-row INSERTs from SQLite (a file,
 * WAL) to Postgres, timed for
 * - the primary alone (the SQLite adapter),
 * - the secondary alone (the Postgres adapter),
 * - dual write (createDualWriteAdapter, secondaryWrites 'sync'),
 * - dual write with verifyWrites,
 * each as p50 / p99 latency and throughput. A sequential dual write cannot beat the sum
 * of its two sides, so the figure of merit is dual latency / (primary alone + secondary
 * alone); targets: <= 1.15x, and <= 1.30x with verification (rows are captured with
 * RETURNING and applied by key). The same is printed for
 * `INSERT ... RETURNING *`, where verification also compares the returned rows
 * normalized by logical type.
 *
 * Cases take turns insert by insert (round robin), each on a table of its own, so they
 * all see the same machine and server load; throughput is inserts per second of time
 * spent in that case's calls.
 *
 * A last table isolates what the adapter itself adds (write queue, classification,
 * pre-flight checks, metrics, verification) with two in-memory SQLite databases, where
 * no network or disk noise hides microseconds.
 *
 * Run: pnpm --filter @switchyard/bench dual-write   (POSTGRES_URL, else embedded Postgres)
 *      BENCH_DW_OPS=2000 BENCH_DW_ROUNDS=5 to change the size; BENCH_DW_PART=sync or =async runs one half.
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
import Database from 'better-sqlite3';
import pg from 'pg';

const OPS = Number(process.env.BENCH_DW_OPS ?? 2000);
const ROUNDS = Number(process.env.BENCH_DW_ROUNDS ?? 5);
const WARMUP = 200;

// Each case gets its own copy of this table (bench_dw_<case>).
const SQLITE_DDL = 'CREATE TABLE bench_dw (id INTEGER PRIMARY KEY, name TEXT NOT NULL, score REAL, active BOOLEAN, created_at TIMESTAMP)';
const PG_DDL =
  'CREATE TABLE bench_dw (id BIGINT PRIMARY KEY, name TEXT NOT NULL, score DOUBLE PRECISION, active BOOLEAN, created_at TIMESTAMPTZ)';

interface Case {
  name: string;
  /** The adapter the INSERTs go through. */
  adapter: DatabaseAdapter;
}

interface Figures {
  p50: number;
  p99: number;
  mean: number;
  opsPerSecond: number;
}

function figures(latencies: number[], seconds: number): Figures {
  const sorted = [...latencies].sort((a, b) => a - b);
  const at = (q: number) => sorted[Math.min(sorted.length - 1, Math.ceil(q * sorted.length) - 1)]!;
  const mean = sorted.reduce((s, x) => s + x, 0) / sorted.length;
  return { p50: at(0.5), p99: at(0.99), mean, opsPerSecond: latencies.length / seconds };
}

async function main(): Promise<void> {
  const server = await startTestPostgres();
  const database = await createTestDatabase(server.url);
  const dir = mkdtempSync(join(tmpdir(), 'sy-bench-dw-'));
  const sqlite = createSQLiteAdapter(join(dir, 'primary.db'), { name: 'sqlite' });
  const postgres = createPostgresAdapter(database.url, { name: 'postgres' });
  try {
    await sqlite.execute(SQLITE_DDL);
    await postgres.execute(PG_DDL);

    const cases: Case[] = [
      { name: 'primary alone (SQLite file)', adapter: sqlite },
      { name: 'secondary alone (Postgres)', adapter: postgres },
      { name: 'dual write', adapter: createDualWriteAdapter(sqlite, postgres) },
      { name: 'dual write + verifyWrites', adapter: createDualWriteAdapter(sqlite, postgres, { verifyWrites: true }) },
      // Async mode (secondaryWrites: 'async') goes here: its latency is the primary's plus
      // the enqueue, so it is compared with the primary alone rather than with the sum.
    ];

    console.log(`Dual-write overhead: SQLite (file, WAL) -> Postgres, sequential single-row INSERTs`);
    console.log(`${ROUNDS} rounds x ${OPS} inserts per case (after ${WARMUP} warm-up inserts), node ${process.version}\n`);

    for (const returning of [false, true]) {
      const insert = (table: string) =>
        `INSERT INTO ${table} (id, name, score, active, created_at) VALUES (?, ?, ?, ?, ?)` + (returning ? ' RETURNING *' : '');
      const latencies = cases.map(() => [] as number[]);
      const elapsed = cases.map(() => 0);
      for (let round = 0; round < ROUNDS + 1; round++) {
        const warmup = round === 0;
        for (const [k] of cases.entries()) {
          await sqlite.execute(`DROP TABLE IF EXISTS bench_dw_${k}`);
          await postgres.execute(`DROP TABLE IF EXISTS bench_dw_${k}`);
          await sqlite.execute(SQLITE_DDL.replace('bench_dw', `bench_dw_${k}`));
          await postgres.execute(PG_DDL.replace('bench_dw', `bench_dw_${k}`));
        }
        const n = warmup ? WARMUP : OPS;
        for (let i = 1; i <= n; i++) {
          const params = [i, `user-${i}`, i * 0.5, i % 2 === 0, new Date(1_700_000_000_000 + i)];
          for (const [k, c] of cases.entries()) {
            const t0 = performance.now();
            await c.adapter.execute(insert(`bench_dw_${k}`), params);
            const ms = performance.now() - t0;
            if (!warmup) {
              latencies[k]!.push(ms);
              elapsed[k]! += ms / 1000;
            }
          }
        }
      }
      const results = cases.map((c, k) => ({ name: c.name, ...figures(latencies[k]!, elapsed[k]!) }));
      console.log(returning ? 'INSERT ... RETURNING *' : 'INSERT (no RETURNING)');
      console.log('case                            p50 ms    p99 ms   mean ms     ops/s');
      for (const r of results) {
        console.log(
          `${r.name.padEnd(30)} ${r.p50.toFixed(3).padStart(7)}  ${r.p99.toFixed(3).padStart(8)}  ${r.mean.toFixed(3).padStart(8)}  ${r.opsPerSecond.toFixed(0).padStart(8)}`,
        );
      }
      const [primary, secondary, dual, verified] = results.slice(0, 4) as Figures[] as [Figures, Figures, Figures, Figures];
      const ratio = (x: Figures, key: 'p50' | 'mean') => x[key] / (primary[key] + secondary[key]);
      const line = (label: string, x: Figures, target: number) => {
        const p50 = ratio(x, 'p50');
        const mean = ratio(x, 'mean');
        const verdict = p50 <= target && mean <= target ? 'ok' : 'OVER TARGET';
        // What the adapter adds per write (write queue, classification, metrics, verification).
        const added = (x.p50 - primary.p50 - secondary.p50) * 1000;
        console.log(
          `  ${label.padEnd(28)} p50 ${p50.toFixed(3)}x  mean ${mean.toFixed(3)}x  (target <= ${target.toFixed(2)}x) ${verdict}` +
            `  added at p50: ${added.toFixed(0)} us`,
        );
      };
      console.log('ratio to primary alone + secondary alone:');
      line('dual write', dual, 1.15);
      line('dual write + verifyWrites', verified, 1.3);
      console.log('');
    }
    await overheadInMemory();
  } finally {
    await sqlite.close();
    await postgres.close();
    await database.drop();
    await server.stop();
    rmSync(dir, { recursive: true, force: true });
  }
}

/** Dual write between two in-memory SQLite databases against the two alone: the adapter's own cost. */
async function overheadInMemory(): Promise<void> {
  const a = createSQLiteAdapter(':memory:', { name: 'a' });
  const b = createSQLiteAdapter(':memory:', { name: 'b' });
  const ddl = 'CREATE TABLE bench_mem (id INTEGER PRIMARY KEY, name TEXT, score REAL, active BOOLEAN, created_at TIMESTAMP)';
  await a.execute(ddl);
  await b.execute(ddl);
  const cases: Case[] = [
    { name: 'a alone', adapter: a },
    { name: 'b alone', adapter: b },
    { name: 'dual write', adapter: createDualWriteAdapter(a, b) },
    { name: 'dual write + verifyWrites', adapter: createDualWriteAdapter(a, b, { verifyWrites: true }) },
  ];
  const n = OPS * ROUNDS;
  const latencies = cases.map(() => [] as number[]);
  let id = 0;
  for (let i = 0; i < n + WARMUP; i++) {
    for (const [k, c] of cases.entries()) {
      const t0 = performance.now();
      await c.adapter.execute('INSERT INTO bench_mem (id, name, score, active, created_at) VALUES (?, ?, ?, ?, ?)', [
        ++id,
        `user-${id}`,
        id * 0.5,
        id % 2 === 0,
        new Date(1_700_000_000_000 + id),
      ]);
      if (i >= WARMUP) latencies[k]!.push(performance.now() - t0);
    }
  }
  const results = cases.map((c, k) => ({ name: c.name, ...figures(latencies[k]!, latencies[k]!.reduce((s, x) => s + x, 0) / 1000) }));
  console.log(`Adapter overhead: in-memory SQLite -> in-memory SQLite, ${n} sequential INSERTs per case`);
  console.log('case                            p50 us    p99 us   mean us     ops/s');
  for (const r of results) {
    console.log(
      `${r.name.padEnd(30)} ${(r.p50 * 1000).toFixed(1).padStart(7)}  ${(r.p99 * 1000).toFixed(1).padStart(8)}  ${(r.mean * 1000).toFixed(1).padStart(8)}  ${r.opsPerSecond.toFixed(0).padStart(8)}`,
    );
  }
  const [alone1, alone2, dual, verified] = results.slice(0, 4) as Figures[] as [Figures, Figures, Figures, Figures];
  const sum = alone1.mean + alone2.mean;
  console.log(
    `added per write (mean): dual ${((dual.mean - sum) * 1000).toFixed(1)} us, with verifyWrites ${((verified.mean - sum) * 1000).toFixed(1)} us`,
  );
  await a.close();
  await b.close();
}

// ---------------------------------------------------------------------------
// Async mode (secondaryWrites: 'async'): the app waits for the primary and the mirror's
// share of the write only (the outbox entry in the same transaction, or the queue send),
// so its latency is compared with the primary alone. Then the other half of the cost:
// how long the mirror takes to drain 100k writes into the secondary.
//
// Run: pnpm --filter @switchyard/bench dual-write   (BENCH_ASYNC_OPS=2000, BENCH_DRAIN_OPS=100000)
// ---------------------------------------------------------------------------

const ASYNC_OPS = Number(process.env.BENCH_ASYNC_OPS ?? 2000);
const ASYNC_ROUNDS = Number(process.env.BENCH_ASYNC_ROUNDS ?? 3);
const DRAIN_OPS = Number(process.env.BENCH_DRAIN_OPS ?? 100_000);
/** Async p50 / primary-alone p50 of each outbox pair, for the comparison with its floor. */
const outboxRatios = new Map<string, number>();

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

/** 0..n-1 in random order. */
function shuffled(n: number): number[] {
  const order = Array.from({ length: n }, (_, i) => i);
  for (let i = n - 1; i > 0; i--) {
    const j = Math.floor(Math.random() * (i + 1));
    [order[i], order[j]] = [order[j]!, order[i]!];
  }
  return order;
}

async function asyncMode(): Promise<void> {
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
    console.log("\nAsync mode: app-visible latency of sequential single-row INSERTs, primary alone vs secondaryWrites: 'async'");
    console.log(`${ASYNC_ROUNDS} rounds x ${ASYNC_OPS} inserts per case (after ${WARMUP} warm-up inserts)\n`);
    const cases = pairs.flatMap((p) => [
      { pair: p, adapter: p.alone },
      { pair: p, adapter: p.mirrored },
    ]);
    const latencies = cases.map(() => [] as number[]);
    const elapsed = cases.map(() => 0);
    for (let round = 0; round < ASYNC_ROUNDS + 1; round++) {
      const warmup = round === 0;
      for (const [k, c] of cases.entries()) {
        await c.pair.alone.execute(`DROP TABLE IF EXISTS bench_async_${k}`);
        await c.pair.alone.execute(c.pair.ddl.replace('bench_dw', `bench_async_${k}`));
        if (c.adapter === c.pair.alone) continue;
        await c.pair.secondary.execute(`DROP TABLE IF EXISTS bench_async_${k}`);
        await c.pair.secondary.execute(c.pair.secondaryDdl.replace('bench_dw', `bench_async_${k}`));
      }
      const n = warmup ? WARMUP : ASYNC_OPS;
      for (let i = 1; i <= n; i++) {
        const params = [i, `user-${i}`, i * 0.5, i % 2 === 0, new Date(1_700_000_000_000 + i)];
        // A new order every insert: on a shared disk one engine's fsync slows the next
        // caller's, so no case may always follow the same neighbour.
        for (const k of shuffled(cases.length)) {
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

    const floors = await outboxFloor(join(dir, 'primary.db'), database.url, d1Binding);
    // The figure of merit: the outbox's ratio to the primary alone, over the floor's ratio (target <= 1.10x).
    console.log('\nOutbox against its floor (async p50 ratio / floor p50 ratio):');
    for (const [name, floor] of floors) {
      const ratio = (outboxRatios.get(name) ?? NaN) / floor;
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

type RawD1 = Awaited<ReturnType<Miniflare['getD1Database']>>;

/**
 * The floor under any outbox that commits its entry with the write, measured with the
 * raw drivers and no Switchyard code: a single-row INSERT alone, against the same INSERT
 * plus an entry row of the same size as an outbox entry, in one transaction (better-sqlite3),
 * one data-modifying CTE (pg), one batch() (the D1 binding). The outbox rows above can
 * only be compared fairly with this.
 */
async function outboxFloor(sqliteFile: string, url: string, d1: RawD1): Promise<Map<string, number>> {
  const floors = new Map<string, number>();
  const sqliteDb = new Database(sqliteFile);
  sqliteDb.pragma('journal_mode = WAL');
  const entryDdl = (seq: string) =>
    `CREATE TABLE floor_entry (seq ${seq}, op_id TEXT NOT NULL, payload TEXT NOT NULL, created_at BIGINT NOT NULL)`;
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  try {
    for (const t of ['floor_alone', 'floor_with_entry']) {
      sqliteDb.exec(`DROP TABLE IF EXISTS ${t}; ${SQLITE_DDL.replace('bench_dw', t)}`);
      await client.query(`DROP TABLE IF EXISTS ${t}; ${PG_DDL.replace('bench_dw', t)}`);
      await d1.exec(`DROP TABLE IF EXISTS ${t}`);
      await d1.prepare(SQLITE_DDL.replace('bench_dw', t)).run();
    }
    sqliteDb.exec(`DROP TABLE IF EXISTS floor_entry; ${entryDdl('INTEGER PRIMARY KEY AUTOINCREMENT')}`);
    await client.query(`DROP TABLE IF EXISTS floor_entry; ${entryDdl('BIGSERIAL PRIMARY KEY')}`);
    await d1.exec('DROP TABLE IF EXISTS floor_entry');
    await d1.prepare(entryDdl('INTEGER PRIMARY KEY AUTOINCREMENT')).run();

    const insert = (t: string, ph: string[]) => `INSERT INTO ${t} (id, name, score, active, created_at) VALUES (${ph.join(', ')})`;
    const q = ['?', '?', '?', '?', '?'];
    const d = ['$1', '$2', '$3', '$4', '$5'];
    const entrySql = 'INSERT INTO floor_entry (op_id, payload, created_at) VALUES (?, ?, ?)';
    const sqliteAlone = sqliteDb.prepare(insert('floor_alone', q));
    const sqliteWith = sqliteDb.prepare(insert('floor_with_entry', q));
    const sqliteEntry = sqliteDb.prepare(entrySql);
    const sqliteBoth = sqliteDb.transaction((params: unknown[], entry: unknown[]) => {
      sqliteWith.run(...params);
      sqliteEntry.run(...entry);
    });
    const pgWith = `WITH e AS (INSERT INTO floor_entry (op_id, payload, created_at) VALUES ($6, $7, $8)) ${insert('floor_with_entry', d)}`;
    const entryOf = (params: unknown[]) => {
      const payload = JSON.stringify({
        v: 1,
        opId: '01JD7Q3M5X9K2V8H4T6R0N1B3C',
        seq: 0,
        createdAt: Date.now(),
        statements: [{ sql: insert('t', q), params }],
      });
      return ['01JD7Q3M5X9K2V8H4T6R0N1B3C', payload, Date.now()];
    };
    const runs: Array<[string, (i: number, params: unknown[]) => unknown]> = [
      ['SQLite file: INSERT alone', (_, p) => sqliteAlone.run(...p)],
      ['SQLite file: INSERT + entry, one transaction', (_, p) => sqliteBoth(p, entryOf(p))],
      ['Postgres: INSERT alone', (_, p) => client.query(insert('floor_alone', d), p)],
      ['Postgres: INSERT + entry, one CTE', (_, p) => client.query(pgWith, [...p, ...entryOf(p)])],
      [
        'D1 (Miniflare): INSERT alone',
        (_, p) =>
          d1
            .prepare(insert('floor_alone', q))
            .bind(...p)
            .run(),
      ],
      [
        'D1 (Miniflare): INSERT + entry, one batch()',
        (_, p) => d1.batch([d1.prepare(insert('floor_with_entry', q)).bind(...p), d1.prepare(entrySql).bind(...entryOf(p))]),
      ],
    ];
    const latencies = runs.map(() => [] as number[]);
    for (let i = 1; i <= ASYNC_OPS + WARMUP; i++) {
      const params = [i, `user-${i}`, i * 0.5, i % 2, new Date(1_700_000_000_000 + i).toISOString()];
      for (const k of shuffled(runs.length)) {
        const t0 = performance.now();
        await runs[k]![1](i, params);
        if (i > WARMUP) latencies[k]!.push(performance.now() - t0);
      }
    }
    console.log(`\nOutbox floor: the raw drivers alone, no Switchyard code (${ASYNC_OPS} inserts per case)`);
    for (let k = 0; k < runs.length; k += 2) {
      const alone = figures(latencies[k]!, 1);
      const withEntry = figures(latencies[k + 1]!, 1);
      console.log(`${runs[k]![0].padEnd(48)} p50 ${alone.p50.toFixed(3)} ms`);
      console.log(
        `${runs[k + 1]![0].padEnd(48)} p50 ${withEntry.p50.toFixed(3)} ms   ${(withEntry.p50 / alone.p50).toFixed(3)}x / ${(withEntry.mean / alone.mean).toFixed(3)}x (p50 / mean)`,
      );
      floors.set(['SQLite file, outbox', 'Postgres, outbox', 'D1 (Miniflare), outbox'][k / 2]!, withEntry.p50 / alone.p50);
    }
    return floors;
  } finally {
    sqliteDb.close();
    await client.end();
  }
}

// BENCH_DW_PART=sync or =async runs one half only.
const part = process.env.BENCH_DW_PART;
(part === 'async' ? Promise.resolve() : main())
  .then(() => (part === 'sync' ? undefined : asyncMode()))
  .catch((error: unknown) => {
    console.error(error);
    process.exitCode = 1;
  });
