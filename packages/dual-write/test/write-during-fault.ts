import { expect } from 'vitest';
import type { DatabaseAdapter } from '@switchyard/core';
import { createPostgresAdapter } from '@switchyard/postgres';
import { startFaultProxy, type FaultMode } from '@switchyard/testkit';
import { createDualWriteAdapter } from './patient-dual-write';
import { replayUntilEmpty } from './replay-until-empty';
import type { TwoDatabases } from './two-databases';

/** What {@link writeDuringFault} does, in order. */
export interface FaultedWrite {
  seed: (dual: DatabaseAdapter) => Promise<unknown>;
  /** Runs while the proxy is in the fault's mode. */
  write: (dual: DatabaseAdapter) => Promise<unknown>;
  /** Runs once the journal is replayed, with the secondary still reachable. */
  check: (secondary: DatabaseAdapter) => Promise<void>;
}

/**
 * Dual write from `primary` to the file's second Postgres database behind a fault proxy
 * (`continueOnSecondaryFailure`, `secondaryTimeoutMs` 300): seeds, runs `write` while the
 * proxy is in `mode`, expects it back well within a hung connection's time and journaled,
 * then replays the journal until it is empty and runs `check`.
 */
export async function writeDuringFault(
  dbs: TwoDatabases,
  opened: DatabaseAdapter[],
  primary: DatabaseAdapter,
  mode: FaultMode,
  steps: FaultedWrite,
): Promise<void> {
  const target = new URL(dbs.other.url);
  const proxy = await startFaultProxy({ target: { host: target.hostname, port: Number(target.port || 5432) } });
  try {
    const secondary = createPostgresAdapter(proxy.url(dbs.other.url), { name: 'pg-b', max: 2 });
    opened.push(secondary);
    const dual = createDualWriteAdapter(primary, secondary, { continueOnSecondaryFailure: true, secondaryTimeoutMs: 300 });
    await steps.seed(dual);
    proxy.setMode(mode);
    const started = performance.now();
    await steps.write(dual);
    // Every read and write of the secondary on the way is bounded: the app is not held.
    expect(performance.now() - started).toBeLessThan(3_000);
    expect(dual.getMetrics().journalDepth).toBeGreaterThan(0);
    proxy.setMode('pass');
    await replayUntilEmpty(dual, 10_000);
    await steps.check(secondary);
    await dual.close();
  } finally {
    await proxy.close();
  }
}
