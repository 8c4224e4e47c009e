/**
 * Dual write with row images, in one run, for Postgres -> Postgres (two databases on one
 * server) and SQLite (a file, WAL) -> Postgres, each write a single-row INSERT with its
 * id or an UPDATE by id (half each, at random):
 * 1. concurrent throughput at 1, 4, 16 and 64 writers: dual write against each side
 *    alone; target at 16 writers: >= 0.80x the slower side alone. Each case also shows
 *    the CPU a write took, in this process and on the whole machine (Linux): when the
 *    machine is saturated, that and not the code's waiting decides the ratio. Beside
 *    them, dual write as written by hand (each statement on one side, then the other):
 *    what writing both sides costs this machine, against which the dual write's own cost shows;
 * 2. sequential latency: dual write against primary alone + secondary alone (p50 and
 *    mean); targets <= 1.15x, and <= 1.30x with verifyWrites;
 * 3. a hung secondary (a blackhole proxy): app-visible p99 of writes with
 *    continueOnSecondaryFailure and secondaryTimeoutMs 200; target <= timeout + 10%.
 *
 * Cases take turns in short slices (in a new random order every round, or write by
 * write when sequential) so they all see the same machine and server load. Each writer
 * yields to the event loop between writes, as a server handling requests does: a loop of
 * writes that never wait for I/O (SQLite, or writes journaled while the circuit is open)
 * would otherwise starve the timers that bound the other writers' waits.
 *
 * Run: pnpm --filter @switchyard/bench dual-write-concurrency   (POSTGRES_URL, else embedded)
 *      BENCH_CC_MS=400 BENCH_CC_ROUNDS=6 BENCH_SEQ_OPS=2000 BENCH_PG_POOL=20 BENCH_HANG_MS=3000
 *      BENCH_CC_PARTS=1,2,3 (the parts to run)
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { DatabaseAdapter } from '@switchyard/core';
import { createDualWriteAdapter, type DualWriteAdapter } from '@switchyard/dual-write';
import { createPostgresAdapter } from '@switchyard/postgres';
import { createSQLiteAdapter } from '@switchyard/sqlite';
import { createTestDatabase, startTestPostgres } from '@switchyard/testkit/postgres-server';
import { shuffled } from './bench-figures';
import { byHand, figures, fmt, load, newWriter, PG_DDL, SQLITE_DDL, step, verdict, type Figures, type Target } from './concurrency-load';
import { hungSecondary } from './dual-write-hung';

const RUN_MS = Number(process.env.BENCH_CC_MS ?? 400);
const ROUNDS = Number(process.env.BENCH_CC_ROUNDS ?? 6);
const SEQ_OPS = Number(process.env.BENCH_SEQ_OPS ?? 2000);
const POOL = Number(process.env.BENCH_PG_POOL ?? 20);
const PARTS = new Set((process.env.BENCH_CC_PARTS ?? '1,2,3').split(',').map((p) => p.trim()));
const WRITER_COUNTS = [1, 4, 16, 64];
/**
 * Under load a secondary may take longer than the default 500 ms: the run goes on, and
 * what was journaled is printed after the table (a journaled write skips the secondary,
 * so such a run's ratio flatters dual write).
 */
const LOADED = { secondaryTimeoutMs: 10_000, continueOnSecondaryFailure: true } as const;

interface Sides {
  sqlite: DatabaseAdapter;
  pgA: DatabaseAdapter;
  pgB: DatabaseAdapter;
}

/** Creates `table` on all three databases, so any case may use any table. */
async function createEverywhere(sides: Sides, table: string): Promise<void> {
  await sides.sqlite.execute(SQLITE_DDL(table));
  await sides.pgA.execute(PG_DDL(table));
  await sides.pgB.execute(PG_DDL(table));
}

async function throughput(sides: Sides): Promise<void> {
  const cases: Array<{ name: string; adapter: Target }> = [
    { name: 'Postgres A alone', adapter: sides.pgA },
    { name: 'Postgres B alone', adapter: sides.pgB },
    { name: 'SQLite alone', adapter: sides.sqlite },
    { name: 'dual Postgres A -> Postgres B', adapter: createDualWriteAdapter(sides.pgA, sides.pgB, LOADED) },
    { name: 'dual SQLite -> Postgres B', adapter: createDualWriteAdapter(sides.sqlite, sides.pgB, LOADED) },
    { name: 'by hand: A, then B', adapter: byHand(sides.pgA, sides.pgB) },
    { name: 'by hand: SQLite, then B', adapter: byHand(sides.sqlite, sides.pgB) },
  ];
  for (const [k] of cases.entries()) await createEverywhere(sides, `bench_cc_${k}`);
  console.log(`1. Concurrent throughput: writers each looping single-row writes (INSERT with id / UPDATE by id), pg pools of ${POOL}`);
  console.log(`   ${ROUNDS} rounds x ${RUN_MS} ms per case and writer count, cases in random order each round\n`);
  console.log("   CPU per write: the benchmark process (the client) and the whole machine (both databases' servers too)\n");
  console.log('writers  case                              writes/s    p50 ms    p99 ms   client us  machine us');
  // The first pass, one writer, only warms up.
  for (const [pass, writers] of [1, ...WRITER_COUNTS].entries()) {
    const warmup = pass === 0;
    const ops = cases.map(() => 0);
    const seconds = cases.map(() => 0);
    const latencies = cases.map(() => [] as number[]);
    const cpu = cases.map(() => ({ client: 0, machine: 0 }));
    for (let round = 0; round < (warmup ? 1 : ROUNDS); round++) {
      for (const k of shuffled(cases.length)) {
        const r = await load(cases[k]!.adapter, `bench_cc_${k}`, writers, warmup ? 300 : RUN_MS);
        ops[k]! += r.ops;
        seconds[k]! += r.seconds;
        latencies[k]!.push(...r.latencies);
        cpu[k]!.client += r.cpu.client;
        cpu[k]!.machine += r.cpu.machine;
      }
    }
    if (warmup) continue;
    const rate = cases.map((_, k) => ops[k]! / seconds[k]!);
    for (const [k, c] of cases.entries()) {
      const f = figures(latencies[k]!);
      const perWrite = (us: number) => (us / ops[k]!).toFixed(0).padStart(10);
      console.log(
        `${String(writers).padStart(7)}  ${c.name.padEnd(30)} ${rate[k]!.toFixed(0).padStart(10)}  ${fmt(f.p50)}  ${fmt(f.p99)}  ${perWrite(cpu[k]!.client)}  ${perWrite(cpu[k]!.machine)}`,
      );
    }
    const [a, b, s, dualPg, dualSqlite, handPg, handSqlite] = rate as [number, number, number, number, number, number, number];
    const line = (label: string, dual: number, primary: number, hand: number) => {
      const ratio = dual / Math.min(primary, b);
      const target = writers === 16 ? `  ${verdict(ratio >= 0.8, '>= 0.80x')}` : '';
      console.log(
        `         ${label.padEnd(30)} ${ratio.toFixed(3)}x the slower side alone${target}; ${(dual / hand).toFixed(3)}x by hand (by hand: ${(hand / Math.min(primary, b)).toFixed(3)}x alone)`,
      );
    };
    line('Postgres -> Postgres', dualPg, a, handPg);
    line('SQLite -> Postgres', dualSqlite, s, handSqlite);
    console.log('');
  }
  for (const c of cases.slice(3, 5)) report(c.name, c.adapter as DualWriteAdapter);
}

/** What went wrong on the secondary during a run, if anything. */
function report(name: string, adapter: DualWriteAdapter): void {
  const m = adapter.getMetrics();
  if (m.secondaryFailures > 0 || m.verificationFailures > 0) {
    console.log(
      `   ${name}: ${m.secondaryFailures} secondary failures (${m.secondaryTimeouts} timeouts), ${m.verificationFailures} verification failures, journal depth ${m.journalDepth}`,
    );
  }
}

async function sequential(sides: Sides): Promise<void> {
  console.log(
    `2. Sequential latency with row capture: ${SEQ_OPS} single-row writes per case (INSERT with id / UPDATE by id), cases write by write\n`,
  );
  const pairs: Array<[string, DatabaseAdapter, DatabaseAdapter]> = [
    ['Postgres A -> Postgres B', sides.pgA, sides.pgB],
    ['SQLite -> Postgres B', sides.sqlite, sides.pgB],
  ];
  for (const [label, primary, secondary] of pairs) {
    const cases: Array<{ name: string; adapter: DatabaseAdapter }> = [
      { name: 'primary alone', adapter: primary },
      { name: 'secondary alone', adapter: secondary },
      { name: 'dual write', adapter: createDualWriteAdapter(primary, secondary, LOADED) },
      { name: 'dual write + verifyWrites', adapter: createDualWriteAdapter(primary, secondary, { ...LOADED, verifyWrites: true }) },
    ];
    const tables = cases.map((_, k) => `bench_seq_${label.startsWith('SQLite') ? 's' : 'p'}${k}`);
    for (const t of tables) await createEverywhere(sides, t);
    const writers = cases.map(newWriter);
    const latencies = cases.map(() => [] as number[]);
    for (let i = 0; i < SEQ_OPS + 200; i++) {
      for (const k of shuffled(cases.length)) {
        const t0 = performance.now();
        await step(cases[k]!.adapter, tables[k]!, writers[k]!);
        if (i >= 200) latencies[k]!.push(performance.now() - t0);
      }
    }
    const f = latencies.map(figures);
    console.log(`${label}                p50 ms    p99 ms   mean ms`);
    for (const [k, c] of cases.entries()) console.log(`  ${c.name.padEnd(36)} ${fmt(f[k]!.p50)}  ${fmt(f[k]!.p99)}  ${fmt(f[k]!.mean)}`);
    const [p, s] = f as [Figures, Figures];
    for (const [k, target] of [
      [2, 1.15],
      [3, 1.3],
    ] as const) {
      const p50 = f[k]!.p50 / (p.p50 + s.p50);
      const mean = f[k]!.mean / (p.mean + s.mean);
      console.log(
        `  ${cases[k]!.name.padEnd(26)} / (primary + secondary): p50 ${p50.toFixed(3)}x  mean ${mean.toFixed(3)}x  ${verdict(p50 <= target && mean <= target, `<= ${target.toFixed(2)}x`)}`,
      );
    }
    for (const c of cases.slice(2)) report(c.name, c.adapter as DualWriteAdapter);
    console.log('');
  }
}

async function main(): Promise<void> {
  const server = await startTestPostgres();
  const [a, b] = [await createTestDatabase(server.url), await createTestDatabase(server.url)];
  const dir = mkdtempSync(join(tmpdir(), 'sy-bench-cc-'));
  const sides: Sides = {
    sqlite: createSQLiteAdapter(join(dir, 'primary.db'), { name: 'sqlite' }),
    pgA: createPostgresAdapter(a.url, { name: 'pg-a', max: POOL }),
    pgB: createPostgresAdapter(b.url, { name: 'pg-b', max: POOL }),
  };
  console.log(`Dual write with row images, node ${process.version}\n`);
  try {
    if (PARTS.has('1')) await throughput(sides);
    if (PARTS.has('2')) await sequential(sides);
    if (PARTS.has('3')) await hungSecondary(server.url, a.url, b.url, dir, POOL);
  } finally {
    await Promise.all([sides.sqlite.close(), sides.pgA.close(), sides.pgB.close()]);
    await a.drop();
    await b.drop();
    await server.stop();
    rmSync(dir, { recursive: true, force: true });
  }
}

main().catch((error: unknown) => {
  console.error(error);
  process.exitCode = 1;
});
