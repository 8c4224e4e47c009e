import type { RowRef } from '../row-ref';
import { rowName } from './row-images';

/**
 * The rows this process's primary transactions have committed (or are committing) and not
 * yet taken the in-process locks of, to settle them. A transaction writes on the primary
 * without those locks, so a write verifying one of its rows meanwhile would find the primary
 * ahead of the secondary: not a divergence, since the transaction's settle reads the row
 * again, applies and verifies it. Such a row is left to that settle, neither counted nor
 * settled twice; a row another process changed is not here, and is counted and settled.
 */
export class CommittingRows {
  readonly #counts = new Map<string, number>();

  /** Marks `refs` as committing; returns the release, which only its first call performs. */
  mark(refs: readonly RowRef[]): () => void {
    const names = refs.map((r) => rowName(r.table, r.key));
    for (const n of names) this.#counts.set(n, (this.#counts.get(n) ?? 0) + 1);
    let released = false;
    return () => {
      if (released) return;
      released = true;
      for (const n of names) {
        const left = this.#counts.get(n)! - 1;
        if (left === 0) this.#counts.delete(n);
        else this.#counts.set(n, left);
      }
    };
  }

  /** Whether a transaction of this process has committed `ref` and not yet begun to settle it. */
  has(ref: RowRef): boolean {
    return this.#counts.size > 0 && this.#counts.has(rowName(ref.table, ref.key));
  }
}
