/**
 * What `asD1Database(createD1Adapter(binding))` costs over calling the D1 binding itself,
 * on Miniflare: the same app calls (a point read with first(), a page with all(), an
 * insert and an update with run(), a two-statement batch()) through each, interleaved
 * call by call on the same database. Prints the median time of a request (the five calls)
 * and the ratio (facade / binding; the target is <= 1.05x). Runs from `pnpm --filter @switchyard/bench adapters`, or alone:
 * `tsx --conditions=@switchyard/source src/d1-facade-overhead.ts` (BENCH_FACADE_CALLS x BENCH_FACADE_RUNS calls per side).
 */
import { asD1Database } from '@switchyard/core';
import { createD1Adapter } from '@switchyard/d1';
import { createTestD1 } from '@switchyard/testkit/d1';

const CALLS = Number(process.env.BENCH_FACADE_CALLS ?? 200);
const RUNS = Number(process.env.BENCH_FACADE_RUNS ?? 3);

// Only the calls the benchmark makes, shared by the binding and the facade.
interface D1Like {
  prepare(sql: string): { bind(...v: unknown[]): { first(): Promise<unknown>; all(): Promise<unknown>; run(): Promise<unknown> } };
  batch(statements: unknown[]): Promise<unknown>;
}

// One app request's calls: a point read, a page, an insert, an update, a batch of two reads.
const OPS: Array<(db: D1Like, id: number) => Promise<unknown>> = [
  (db, id) => db.prepare('SELECT id, name, score FROM items WHERE id = ?1').bind(id).first(),
  (db, id) => db.prepare('SELECT id, name FROM items WHERE id > ? ORDER BY id LIMIT 20').bind(id).all(),
  (db, id) => db.prepare('INSERT INTO log (item_id, note) VALUES (?, ?)').bind(id, `note ${id}`).run(),
  (db, id) => db.prepare('UPDATE items SET score = score + ? WHERE id = ?').bind(1, id).run(),
  (db, id) =>
    db.batch([
      db.prepare('SELECT count(*) AS n FROM log WHERE item_id = ?').bind(id),
      db.prepare('SELECT name FROM items WHERE id = ?').bind(id),
    ]),
];

function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.floor(sorted.length / 2)]!;
}

/**
 * Runs every call on both sides back to back, alternating which goes first, and keeps
 * each call's time: on a loaded machine Miniflare's round trips vary far more than the
 * facade costs, so the same call on both sides, moments apart, is the fair comparison.
 */
async function measure(sides: D1Like[], rounds: number): Promise<number[][][]> {
  const times = sides.map(() => OPS.map(() => [] as number[]));
  for (let round = 0; round < rounds; round++) {
    const id = (round % 1000) + 1;
    for (const [o, op] of OPS.entries()) {
      for (const k of round % 2 === 0 ? [0, 1] : [1, 0]) {
        const started = performance.now();
        await op(sides[k]!, id);
        times[k]![o]!.push(performance.now() - started);
      }
    }
  }
  return times;
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
    const seed = Array.from({ length: 1000 }, (_, i) =>
      d1.binding.prepare('INSERT INTO items VALUES (?, ?, ?)').bind(i + 1, `item ${i + 1}`, i / 4),
    );
    await d1.binding.batch(seed);
    const facade = asD1Database(createD1Adapter(d1.binding));
    const sides: Array<[string, D1Like]> = [
      ['d1 binding (miniflare)', d1.binding as unknown as D1Like],
      ['asD1Database(d1 adapter)', facade as unknown as D1Like],
    ];
    await measure(
      sides.map((x) => x[1]),
      5,
    ); // warm-up: JIT and Miniflare's first statements
    const rounds = Math.max(1, Math.round((CALLS * RUNS) / OPS.length));
    const times = await measure(
      sides.map((x) => x[1]),
      rounds,
    );
    // A request's time: the sum of each call's median.
    const perRequest = times.map((byOp) => byOp.reduce((sum, t) => sum + median(t), 0));
    console.log(
      `\nD1 facade overhead: ${rounds} rounds of ${OPS.length} app calls (first, all, 2x run, batch of 2) on each side, interleaved; median per call\n`,
    );
    console.log('case                        ms/request  ratio vs binding');
    console.log('--------------------------  ----------  ----------------');
    sides.forEach(([name], k) => {
      const ratio = k === 0 ? '(baseline)' : `${(perRequest[1]! / perRequest[0]!).toFixed(3)}x`;
      console.log(`${name.padEnd(26)}  ${perRequest[k]!.toFixed(2).padStart(10)}  ${ratio.padStart(16)}`);
    });
    console.log('');
  } finally {
    await d1.dispose();
  }
}

if (process.argv[1]?.endsWith('d1-facade-overhead.ts')) await printD1FacadeOverhead();
