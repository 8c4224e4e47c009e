/**
 * What the concurrency benchmark's parts share: the table each case writes, the write a
 * writer repeats, writers looping for a while, and how latencies and CPU are summed up.
 */
import { readFileSync } from 'node:fs';
import { setImmediate as yieldToLoop } from 'node:timers/promises';
import type { DatabaseAdapter } from '@switchyard/core';

export const SQLITE_DDL = (t: string) => `CREATE TABLE ${t} (id INTEGER PRIMARY KEY, name TEXT NOT NULL, score REAL, updated_at TIMESTAMP)`;
export const PG_DDL = (t: string) =>
  `CREATE TABLE ${t} (id BIGINT PRIMARY KEY, name TEXT NOT NULL, score DOUBLE PRECISION, updated_at TIMESTAMPTZ)`;

/** One writer's rows: ids base+1 .. base+inserted. */
export interface Writer {
  base: number;
  inserted: number;
}

let nextBase = 0;
export const newWriter = (): Writer => ({ base: (nextBase += 100_000), inserted: 0 });

/** What a case writes through: an adapter, or two written by hand. */
export type Target = Pick<DatabaseAdapter, 'execute'>;

/**
 * Dual write as a team writes it by hand, with no Switchyard code between the two: each
 * statement on the primary, then the same statement on the secondary. It replicates
 * statements, not rows, so it is no answer to the issue; it measures what writing both
 * sides costs this machine, which bounds any dual write here.
 */
export const byHand = (primary: DatabaseAdapter, secondary: DatabaseAdapter): Target => ({
  async execute(sql, params) {
    await primary.execute(sql, params);
    return secondary.execute(sql, params);
  },
});

/** One write: an INSERT with a new id, or an UPDATE of one of the writer's rows by id. */
export async function step(adapter: Target, table: string, w: Writer): Promise<void> {
  if (w.inserted === 0 || Math.random() < 0.5) {
    const id = w.base + ++w.inserted;
    await adapter.execute(`INSERT INTO ${table} (id, name, score, updated_at) VALUES (?, ?, ?, ?)`, [
      id,
      `user-${id}`,
      id * 0.5,
      new Date(),
    ]);
  } else {
    const id = w.base + 1 + Math.floor(Math.random() * w.inserted);
    await adapter.execute(`UPDATE ${table} SET name = ?, score = ?, updated_at = ? WHERE id = ?`, [
      `user-${id}-u`,
      Math.random(),
      new Date(),
      id,
    ]);
  }
}

export interface Figures {
  p50: number;
  p99: number;
  mean: number;
  max: number;
}

export function figures(latencies: number[]): Figures {
  const sorted = [...latencies].sort((a, b) => a - b);
  const at = (q: number) => sorted[Math.min(sorted.length - 1, Math.max(0, Math.ceil(q * sorted.length) - 1))] ?? NaN;
  return { p50: at(0.5), p99: at(0.99), mean: sorted.reduce((s, x) => s + x, 0) / sorted.length, max: sorted.at(-1) ?? NaN };
}

/** CPU time in µs: this process's (user + system), and the whole machine's busy time (Linux; NaN elsewhere). */
export interface Cpu {
  client: number;
  machine: number;
}

function cpuNow(): Cpu {
  const { user, system } = process.cpuUsage();
  let machine = NaN;
  try {
    // user nice system idle iowait irq softirq steal: busy = all but idle and iowait, in clock ticks (1/100 s).
    const ticks = readFileSync('/proc/stat', 'utf8').split('\n', 1)[0]!.trim().split(/\s+/).slice(1).map(Number);
    machine = ticks.reduce((sum, t, i) => (i === 3 || i === 4 ? sum : sum + t), 0) * 10_000;
  } catch {
    // Not Linux: the machine's share is not shown.
  }
  return { client: user + system, machine };
}

/** `writers` loops of writes for `ms`; returns the writes and their latencies. */
export async function load(
  adapter: Target,
  table: string,
  writers: number,
  ms: number,
): Promise<{ ops: number; seconds: number; latencies: number[]; cpu: Cpu }> {
  const latencies: number[] = [];
  const cpu0 = cpuNow();
  const t0 = performance.now();
  const deadline = t0 + ms;
  await Promise.all(
    Array.from({ length: writers }, async () => {
      const w = newWriter();
      while (performance.now() < deadline) {
        const s = performance.now();
        await step(adapter, table, w);
        latencies.push(performance.now() - s);
        await yieldToLoop();
      }
    }),
  );
  const cpu1 = cpuNow();
  return {
    ops: latencies.length,
    seconds: (performance.now() - t0) / 1000,
    latencies,
    cpu: { client: cpu1.client - cpu0.client, machine: cpu1.machine - cpu0.machine },
  };
}

export const fmt = (x: number, digits = 3) => x.toFixed(digits).padStart(8);
export const verdict = (ok: boolean, target: string) => (ok ? 'ok' : `MISSED (target ${target})`);
