/**
 * Part 3 of the concurrency benchmark: writes while the secondary's packets are
 * blackholed (no reset), with continueOnSecondaryFailure and secondaryTimeoutMs 200;
 * what the app waits (target p99 <= timeout + 10%), beside the event loop's own delay.
 */
import { join } from 'node:path';
import { monitorEventLoopDelay } from 'node:perf_hooks';
import { createDualWriteAdapter } from '@switchyard/dual-write';
import { createPostgresAdapter } from '@switchyard/postgres';
import { createSQLiteAdapter } from '@switchyard/sqlite';
import { startFaultProxy } from '@switchyard/testkit';
import { figures, fmt, load, PG_DDL, SQLITE_DDL, verdict } from './concurrency-load';

const HANG_MS = Number(process.env.BENCH_HANG_MS ?? 3000);
const HANG_TIMEOUT_MS = 200;

/** Writes while the secondary is blackholed: what the app waits. */
export async function hungSecondary(serverUrl: string, pgA: string, pgB: string, dir: string, pool: number): Promise<void> {
  const target = new URL(serverUrl);
  const proxy = await startFaultProxy({ target: { host: target.hostname, port: Number(target.port || 5432) } });
  console.log(`3. Hung secondary: ${HANG_MS} ms of writes while the secondary's packets are blackholed (no reset),`);
  console.log(
    `   continueOnSecondaryFailure: true, secondaryTimeoutMs: ${HANG_TIMEOUT_MS}; target p99 <= ${Math.round(HANG_TIMEOUT_MS * 1.1)} ms\n`,
  );
  console.log("(loop ms: the event loop's own p99 delay meanwhile, which no timeout can undercut)\n");
  console.log('case                                   writes  p50 ms    p99 ms    max ms  timeouts  journaled  loop ms');
  try {
    for (const [label, makePrimary] of [
      ['Postgres A -> Postgres B', () => createPostgresAdapter(pgA, { name: 'pg-a', max: pool })],
      ['SQLite -> Postgres B', () => createSQLiteAdapter(join(dir, 'hang.db'), { name: 'sqlite' })],
    ] as const) {
      for (const writers of [1, 16]) {
        const primary = makePrimary();
        const secondary = createPostgresAdapter(proxy.url(pgB), { name: 'pg-b', max: pool });
        const table = `bench_hang_${primary.dialect}_${writers}`;
        await primary.execute((primary.dialect === 'postgres' ? PG_DDL : SQLITE_DDL)(table));
        await secondary.execute(PG_DDL(table));
        const dual = createDualWriteAdapter(primary, secondary, { continueOnSecondaryFailure: true, secondaryTimeoutMs: HANG_TIMEOUT_MS });
        await load(dual, table, writers, 300);
        dual.resetMetrics();
        const loop = monitorEventLoopDelay({ resolution: 5 });
        proxy.setMode('hang');
        loop.enable();
        const r = await load(dual, table, writers, HANG_MS);
        loop.disable();
        const m = dual.getMetrics();
        proxy.setMode('pass');
        const f = figures(r.latencies);
        const name = `${label}, ${writers} writer${writers > 1 ? 's' : ''}`;
        console.log(
          `${name.padEnd(38)} ${String(r.ops).padStart(6)}  ${fmt(f.p50)}  ${fmt(f.p99)}  ${fmt(f.max, 1)}  ${String(m.secondaryTimeouts).padStart(8)}  ${String(m.secondaryFailures).padStart(9)}  ${fmt(loop.percentile(99) / 1e6, 1)}  ${verdict(f.p99 <= HANG_TIMEOUT_MS * 1.1, `<= ${Math.round(HANG_TIMEOUT_MS * 1.1)} ms`)}`,
        );
        // Let the circuit's probe see the secondary again, then settle the journal and close.
        const settled = performance.now();
        while (dual.getMetrics().journalDepth > 0 && performance.now() - settled < 10_000) {
          await new Promise((resolve) => setTimeout(resolve, 100));
          await dual.replayJournal().catch(() => {});
        }
        await dual.close();
      }
    }
  } finally {
    await proxy.close();
  }
  console.log('');
}
