import { expect, onTestFailed, onTestFinished } from 'vitest';
import type { DatabaseAdapter } from '@switchyard/core';
import { createPostgresAdapter, type PostgresAdapter } from '@switchyard/postgres';
import { startFaultProxy, type FaultProxy } from '@switchyard/testkit';
import { validateDatabases } from '@switchyard/validation';
import { tableJournal } from '../src/index';
import { createDualWriteAdapter } from './patient-dual-write';
import { chaosSeed, seededRandom, type Random } from './chaos-random';
import { expectedRows, hotSeed, workloadSchema } from './chaos-schema';
import { ChaosWriter } from './chaos-workload';

/** The two sides of a pair, what can break between them, and how to free them. */
export interface ChaosPair {
  primary: DatabaseAdapter;
  secondary: DatabaseAdapter;
  /** In front of a Postgres secondary: faults go here. */
  proxy?: FaultProxy;
  /** The secondary reached without the proxy, for the checks at the end. */
  secondaryDirect?: DatabaseAdapter;
  /** The primary has interactive transactions (D1 has batch only). */
  transactions: boolean;
}

/** Sizes of a run; small enough for CI on two cores. */
export interface ChaosSize {
  writers: number;
  writesPerWriter: number;
}

/** Writes per writer: `DW_CHAOS_WRITES` when set (for longer runs by hand), else `fallback`. */
export function chaosSize(fallback: number): ChaosSize {
  return { writers: 16, writesPerWriter: Number(process.env.DW_CHAOS_WRITES ?? fallback) };
}

/**
 * A Postgres adapter for the secondary behind a fault proxy, with the timeouts that keep
 * a hung connection from holding a pool slot for long.
 */
export async function proxiedPostgres(url: string, name: string): Promise<{ adapter: PostgresAdapter; proxy: FaultProxy }> {
  const target = new URL(url);
  const proxy = await startFaultProxy({ target: { host: target.hostname, port: Number(target.port || 5432) }, dropDelayMs: 100 });
  const adapter = createPostgresAdapter(proxy.url(url), { name, max: 6, queryTimeoutMs: 1_500, connectTimeoutMs: 1_000 });
  return { adapter, proxy };
}

/** Creates the workload's tables on both sides and seeds `hot` on both. */
export async function createWorkloadTables(pair: ChaosPair): Promise<void> {
  const bothPostgres = pair.primary.dialect === 'postgres' && pair.secondary.dialect === 'postgres';
  for (const side of [pair.primary, pair.secondary]) {
    const dialect = side.dialect === 'postgres' ? 'postgres' : 'sqlite';
    for (const ddl of workloadSchema(dialect, side === pair.primary, bothPostgres)) await side.execute(ddl);
    await side.batch(hotSeed());
  }
}

/**
 * Injects faults on the proxy at random moments until stopped: connections refused,
 * a hung network, replies lost after the server ran the statement, connections killed.
 */
export function startFaults(proxy: FaultProxy, rnd: Random, count = 8): { stop(): Promise<string[]>; readonly done: boolean } {
  const log: string[] = [];
  let running = true;
  let done = false;
  const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
  const loop = (async () => {
    // Every kind once, in a random order, early in the run; then at random.
    const first = (['refuse', 'hang', 'drop-replies', 'kill'] as const)
      .map((f) => ({ f, k: rnd.next() }))
      .sort((a, b) => a.k - b.k)
      .map((x) => x.f);
    while (running && log.length < count) {
      await sleep(20 + rnd.int(150));
      if (!running) break;
      const fault = first.shift() ?? rnd.pick(['refuse', 'hang', 'drop-replies', 'kill'] as const);
      log.push(fault);
      if (fault === 'kill') {
        proxy.killConnections();
        continue;
      }
      proxy.setMode(fault);
      await sleep(50 + rnd.int(300));
      proxy.setMode('pass');
    }
    done = true;
  })();
  return {
    get done() {
      return done;
    },
    async stop() {
      running = false;
      await loop;
      proxy.setMode('pass');
      return log;
    },
  };
}

/**
 * The randomized workload on one pair: concurrent writers (with faults on the proxy, when
 * the pair has one); then, once the faults end and the journal is replayed to empty, both
 * sides must pass validation of every row and equal the model of the acknowledged writes.
 */
export async function runChaos(pair: ChaosPair, size: ChaosSize = chaosSize(40), seed = chaosSeed()): Promise<void> {
  const rnd = seededRandom(seed);
  const verifyWrites = rnd.int(2) === 0;
  // The journal in memory, or in a table of the primary (not on D1, where every entry is one more slow round trip).
  const durable = rnd.int(2) === 0 && pair.primary.dialect !== 'd1';
  const notes: string[] = [
    `seed ${seed} (rerun with DW_CHAOS_SEED=${seed}), verifyWrites ${verifyWrites}, journal ${durable ? 'table' : 'memory'}`,
  ];
  const started = Date.now();
  const mark = (what: string) => notes.push(`${what} at ${Date.now() - started} ms`);
  onTestFailed(() => console.error(`[dual-write chaos] ${notes.join('\n  ')}`));
  if (process.env.DW_CHAOS_VERBOSE) onTestFinished(() => console.log(`[dual-write chaos] ${notes.join('\n  ')}`));
  await createWorkloadTables(pair);
  const dual = createDualWriteAdapter(pair.primary, pair.secondary, {
    continueOnSecondaryFailure: true,
    verifyWrites,
    secondaryTimeoutMs: 300,
    probeIntervalMs: 100,
    ...(durable ? { journal: tableJournal(pair.primary) } : {}),
  });
  const writers = Array.from({ length: size.writers }, (_, w) => new ChaosWriter(w + 1, seededRandom(seed * 31 + w + 1)));
  const faults = pair.proxy ? startFaults(pair.proxy, seededRandom(seed ^ 0x5bd1e995)) : undefined;
  const trace = process.env.DW_CHAOS_VERBOSE
    ? setInterval(
        () =>
          console.log(
            `[chaos] ${Date.now() - started} ms acked ${writers.map((w) => w.stats.acked + w.stats.refused + w.stats.unexpected.length).join(',')} proxy ${pair.proxy?.mode} ${JSON.stringify(dual.getMetrics())}`,
          ),
        2000,
      )
    : undefined;
  // Writers go on until every fault was injected, so each fault meets writes in flight.
  await Promise.all(writers.map((w) => w.run(dual, size.writesPerWriter, pair.transactions, () => faults?.done === false)));
  clearInterval(trace);
  mark('writes done');
  const injected = (await faults?.stop()) ?? [];
  notes.push(
    `faults ${injected.join(',') || 'none'}; writes ${writers.map((w) => w.stats.acked + w.stats.refused + w.stats.unexpected.length).join(',')}`,
  );
  // Connections a hang left with bytes in flight are cut, so nothing late lands after the replay.
  pair.proxy?.killConnections();
  await new Promise((r) => setTimeout(r, 100));

  let replay = await dual.replayJournal();
  for (let tries = 0; replay.remaining > 0 && tries < 60; tries++) {
    await new Promise((r) => setTimeout(r, 200));
    replay = await dual.replayJournal();
  }
  mark('replayed');
  const metrics = dual.getMetrics();
  notes.push(`metrics ${JSON.stringify(metrics, (_, v) => (typeof v === 'bigint' ? String(v) : v))}`);
  notes.push(
    `writers ${JSON.stringify(writers.map((w) => ({ acked: w.stats.acked, refused: w.stats.refused, unexpected: w.stats.unexpected.length })))}`,
  );
  expect(replay, `journal replay: ${replay.error?.message}`).toMatchObject({ remaining: 0 });
  await expectSidesEqualModel(pair, writers, notes);
  await dual.close();
}

/**
 * The end of a run: no write failed that the model did not expect, and both sides pass
 * validation of every row and equal the model of the acknowledged writes.
 */
export async function expectSidesEqualModel(pair: ChaosPair, writers: readonly ChaosWriter[], notes: string[]): Promise<void> {
  const unexpected = writers.flatMap((w) => w.stats.unexpected);
  // Postgres may end a transaction as a deadlock victim; the model then leaves it out, as the app would retry it.
  expect(unexpected.filter((e) => !/deadlock/i.test(e))).toEqual([]);
  expect(writers.flatMap((w) => w.mismatches)).toEqual([]);

  const secondary = pair.secondaryDirect ?? pair.secondary;
  const report = await validateDatabases(pair.primary, secondary, { validateAllRows: true, tables: ['items', 'hot'] });
  notes.push(
    `validation ${report.summary}; ${JSON.stringify(
      report.tables.map((t) => ({ table: t.table, missing: t.missingInTarget, extra: t.extraInTarget, different: t.differentRows })),
      (_, v) => (typeof v === 'bigint' ? String(v) : v),
    ).slice(0, 3000)}`,
  );
  const model = expectedRows(writers);
  expect(await actualRows(pair.primary), 'the primary equals the model').toEqual(model);
  expect(await actualRows(secondary), 'the secondary equals the model').toEqual(model);
  expect(report.ok).toBe(true);
}

/** A side's rows in the model's shape, in key order. */
export async function actualRows(side: DatabaseAdapter): Promise<ReturnType<typeof expectedRows>> {
  const items = await side.query<Record<string, unknown>>('SELECT id, owner, n, label FROM items ORDER BY id');
  const hot = await side.query<Record<string, unknown>>('SELECT id, grp, n FROM hot ORDER BY id');
  return {
    items: items.map((r) => ({ id: Number(r.id), owner: Number(r.owner), n: Number(r.n), label: String(r.label) })),
    hot: hot.map((r) => ({ id: Number(r.id), grp: Number(r.grp), n: Number(r.n) })),
  };
}
