/**
 * What `asD1Database(createD1Adapter(binding))` costs over calling the D1 binding itself,
 * on Miniflare: the same app calls (a point read with first(), a page with all(), an
 * insert and an update with run(), a two-statement batch()) through each, alternately,
 * on the same database. Prints calls per second and the ratio (facade time / binding time;
 * the target is <= 1.05x). Runs from `pnpm --filter @switchyard/bench adapters`, or alone:
 * `tsx --conditions=@switchyard/source src/d1-facade-overhead.ts` (BENCH_FACADE_CALLS, BENCH_FACADE_RUNS).
 */
import { asD1Database } from '@switchyard/core';
import { createD1Adapter } from '@switchyard/d1';
import { createTestD1 } from '@switchyard/testkit/d1';

const CALLS = Number(process.env.BENCH_FACADE_CALLS ?? 200);
const RUNS = Number(process.env.BENCH_FACADE_RUNS ?? 5);

// Only the calls the benchmark makes, shared by the binding and the facade.
interface D1Like {
  prepare(sql: string): { bind(...v: unknown[]): { first(): Promise<unknown>; all(): Promise<unknown>; run(): Promise<unknown> } };
  batch(statements: unknown[]): Promise<unknown>;
}

async function workload(db: D1Like, offset: number): Promise<void> {
  for (let i = 0; i < CALLS; i += 5) {
    const id = ((offset + i) % 1000) + 1;
    await db.prepare('SELECT id, name, score FROM items WHERE id = ?1').bind(id).first();
    await db.prepare('SELECT id, name FROM items WHERE id > ? ORDER BY id LIMIT 20').bind(id).all();
    await db.prepare('INSERT INTO log (item_id, note) VALUES (?, ?)').bind(id, `note ${i}`).run();
    await db.prepare('UPDATE items SET score = score + ? WHERE id = ?').bind(1, id).run();
    await db.batch([db.prepare('SELECT count(*) AS n FROM log WHERE item_id = ?').bind(id), db.prepare('SELECT name FROM items WHERE id = ?').bind(id)]);
  }
}

/**
 * Measures the facade against the binding and prints one table.
 *
 * @example
 * ```ts
 * await printD1FacadeOverhead();
 * ```
 */
export async function printD1FacadeOverhead(): Promise<void> {
  const d1 = await createTestD1();
  try {
    await d1.binding.exec('CREATE TABLE items (id INTEGER PRIMARY KEY, name TEXT NOT NULL, score REAL NOT NULL)');
    await d1.binding.exec('CREATE TABLE log (id INTEGER PRIMARY KEY, item_id INTEGER NOT NULL, note TEXT)');
    const seed = Array.from({ length: 1000 }, (_, i) => d1.binding.prepare('INSERT INTO items VALUES (?, ?, ?)').bind(i + 1, `item ${i + 1}`, i / 4));
    await d1.binding.batch(seed);
    const facade = asD1Database(createD1Adapter(d1.binding));
    const sides: Array<[string, D1Like]> = [['d1 binding (miniflare)', d1.binding as unknown as D1Like], ['asD1Database(d1 adapter)', facade as unknown as D1Like]];
    await workload(sides[0]![1], 0); // warm-up: JIT and Miniflare's first statements
    await workload(sides[1]![1], 0);
    const best = [Infinity, Infinity];
    for (let run = 0; run < RUNS; run++) {
      // Alternate which goes first, so both see the same machine load on average.
      const order = run % 2 === 0 ? [0, 1] : [1, 0];
      for (const k of order) {
        const started = performance.now();
        await workload(sides[k]![1], run * 37);
        best[k] = Math.min(best[k]!, (performance.now() - started) / 1000);
      }
    }
    console.log(`\nD1 facade overhead: ${CALLS.toLocaleString('en-US')} app calls (first, all, 2x run, batch of 2), fastest of ${RUNS} runs\n`);
    console.log('case                        calls/s  ratio vs binding');
    console.log('--------------------------  -------  ----------------');
    sides.forEach(([name], k) => {
      const ratio = k === 0 ? '(baseline)' : `${(best[1]! / best[0]!).toFixed(3)}x`;
      console.log(`${name.padEnd(26)}  ${String(Math.round(CALLS / best[k]!)).padStart(7)}  ${ratio.padStart(16)}`);
    });
    console.log('');
  } finally {
    await d1.dispose();
  }
}

if (process.argv[1]?.endsWith("d1-facade-overhead.ts")) await printD1FacadeOverhead();
