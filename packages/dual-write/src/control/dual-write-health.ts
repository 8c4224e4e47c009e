import { checkHealth, type DatabaseAdapter, type HealthReport } from '@switchyard/core';
import type { DualWriteMetrics } from '../dual-write-metrics';
import type { ControlReport, FleetStatus } from './control-types';

/**
 * What the dual-write adapter's `checkHealth()` returns: the primary's round trip at the
 * top level (and both sides in `sides`), plus mode, epoch, journal, the secondary's
 * circuit and, with a control record, every instance. `ok` is false when either side
 * failed or the control store did not answer.
 *
 * @example
 * ```ts
 * const health = await checkHealth<DualWriteHealth>(adapter);
 * if (!health.fleet?.allOnCurrentEpoch) log.warn('instances on an old epoch', health.fleet?.instances);
 * ```
 */
export interface DualWriteHealth extends HealthReport {
  sides: { primary: HealthReport; secondary: HealthReport };
  mode: string;
  /** The control record's epoch this instance follows; `null` without a control record. */
  epoch: number | null;
  journalDepth: number;
  journalOldestAgeMs: number;
  secondaryCircuit: 'closed' | 'open';
  control: ControlReport | null;
  /** Every instance's heartbeat, or the error reading them. */
  fleet: FleetStatus | { error: string } | null;
}

/** Builds the dual-write health report; never throws. */
export async function dualWriteHealth(input: {
  primary: DatabaseAdapter;
  secondary: DatabaseAdapter;
  metrics: DualWriteMetrics;
  control: ControlReport | null;
  fleet: (() => Promise<FleetStatus>) | undefined;
}): Promise<DualWriteHealth> {
  const [primary, secondary, fleet] = await Promise.all([
    checkHealth(input.primary),
    checkHealth(input.secondary),
    input.fleet ? input.fleet().catch((error: Error) => ({ error: error.message })) : null,
  ]);
  const { metrics, control } = input;
  return {
    ...primary,
    ok: primary.ok && secondary.ok && (control?.reachable ?? true),
    sides: { primary, secondary },
    mode: metrics.mode,
    epoch: control?.epoch ?? null,
    journalDepth: metrics.journalDepth,
    journalOldestAgeMs: metrics.journalOldestAgeMs,
    secondaryCircuit: metrics.secondaryCircuit,
    control,
    fleet,
  };
}
