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
import { createDualWriteAdapter } from '@switchyard/dual-write';
import { createPostgresAdapter } from '@switchyard/postgres';
import { createSQLiteAdapter } from '@switchyard/sqlite';
import { createTestDatabase, startTestPostgres } from '@switchyard/testkit/postgres-server';
import { figures, PG_DDL, SQLITE_DDL, WARMUP, type Figures } from './bench-figures';
import { asyncMode } from './dual-write-async';

const OPS = Number(process.env.BENCH_DW_OPS ?? 2000);
const ROUNDS = Number(process.env.BENCH_DW_ROUNDS ?? 5);

interface Case {
  name: string;
  /** The adapter the INSERTs go through. */
  adapter: DatabaseAdapter;
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

// BENCH_DW_PART=sync or =async runs one half only.
const part = process.env.BENCH_DW_PART;
(part === 'async' ? Promise.resolve() : main())
  .then(() => (part === 'sync' ? undefined : asyncMode()))
  .catch((error: unknown) => {
    console.error(error);
    process.exitCode = 1;
  });
