import { expect } from 'vitest';
import type { DualWriteAdapter } from '../src/index';

/** Replays the journal (a replay may fail while a side is still settling) until it is empty, or fails the test after `timeout` ms. */
export async function replayUntilEmpty(dual: DualWriteAdapter, timeout = 5_000): Promise<void> {
  await expect
    .poll(
      async () => {
        await dual.replayJournal().catch(() => undefined);
        return dual.getMetrics().journalDepth;
      },
      { timeout },
    )
    .toBe(0);
}
