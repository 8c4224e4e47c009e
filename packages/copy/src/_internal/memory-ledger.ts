import type { KeyValues } from './key-codec';
import { applyAdvance, ledgerStamp, type Advance, type Ledger, type RangeBounds, type RangeState } from './checkpoint-ledger';

/** Progress kept in memory only (`checkpoint: false`): a stopped copy starts over. */
export class MemoryLedger implements Ledger {
  readonly #ranges = new Map<string, RangeState[]>();

  async prepare(): Promise<void> {}
  async reset(table: string): Promise<void> {
    this.#ranges.delete(table);
  }
  async list(table: string): Promise<RangeState[]> {
    return this.#ranges.get(table) ?? [];
  }
  async plan(table: string, ranges: RangeBounds[]): Promise<RangeState[]> {
    const states = ranges.map((r, i): RangeState => ({
      table,
      rangeId: i,
      start: r.start,
      end: r.end,
      lastKey: null,
      rowsCopied: 0,
      status: 'pending',
      error: null,
      worker: null,
      updatedAt: ledgerStamp(),
    }));
    this.#ranges.set(table, states);
    return states;
  }
  async claim(table: string): Promise<RangeState | undefined> {
    const range = this.#ranges.get(table)?.find((r) => r.status === 'pending');
    if (range) range.status = 'running';
    return range;
  }
  advance(range: RangeState, batchStart: KeyValues | null, lastKey: KeyValues, rows: number, done: boolean): Advance {
    return {
      commit: () => applyAdvance(range, batchStart, lastKey, rows, done),
    };
  }
  async finish(range: RangeState): Promise<void> {
    range.status = 'done';
  }
  async fail(range: RangeState, error: string): Promise<void> {
    range.status = 'failed';
    range.error = error;
  }
  async release(range: RangeState): Promise<void> {
    range.status = 'pending';
  }
  async releaseDeadLocalClaims(): Promise<{ table: string; worker: string; ranges: number }[]> {
    return [];
  }
}
