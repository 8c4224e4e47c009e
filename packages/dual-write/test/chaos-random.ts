/** A seeded generator (mulberry32): the same seed gives the same workload. */
export function seededRandom(seed: number): Random {
  let s = seed >>> 0;
  const next = () => {
    s = (s + 0x6d2b79f5) >>> 0;
    let t = s;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
  return { next, int: (n) => Math.floor(next() * n), pick: (list) => list[Math.floor(next() * list.length)]! };
}

export interface Random {
  next(): number;
  /** 0 <= value < n */
  int(n: number): number;
  pick<T>(list: readonly T[]): T;
}

/** The seed of a run: `DW_CHAOS_SEED` when set, otherwise a fresh one (printed when a test fails). */
export function chaosSeed(): number {
  const fromEnv = process.env.DW_CHAOS_SEED;
  return fromEnv ? Number(fromEnv) : Math.floor(Math.random() * 2 ** 31);
}
