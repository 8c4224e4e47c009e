import type { DatabaseAdapter, Row } from '@switchyard/core';
import type { ShadowReadOptions } from '../dual-write-options';
import { readTable, type ColumnTypeCache } from './column-types';
import type { EventHub } from './event-hub';
import type { MetricsCollector } from './metrics-collector';
import { sameRows } from './result-compare';
import { toError } from './to-error';

/** What a read needs to know to pick a side. */
export interface ReadRoute {
  primary: DatabaseAdapter;
  secondary: DatabaseAdapter;
  /** The secondary misses journaled writes: it answers no reads until they are replayed. */
  secondaryBehind: boolean;
  secondaryPercent: number;
  shadow: ShadowReadOptions | undefined;
  types: ColumnTypeCache;
  metrics: MetricsCollector;
  events: EventHub;
}

/**
 * Runs a read on the primary, or on the secondary for the routed share (falling back
 * to the primary when it fails there), and for the sampled share on both, comparing
 * their rows and returning the primary's.
 */
export async function routeRead<R>(
  route: ReadRoute,
  sql: string,
  run: (side: DatabaseAdapter) => Promise<R>,
  rowsOf: (result: R) => Row[],
): Promise<R> {
  const { primary, secondary, metrics, events, shadow } = route;
  if (route.secondaryPercent > 0 && !route.secondaryBehind && Math.random() * 100 < route.secondaryPercent) {
    try {
      const result = await run(secondary);
      metrics.readsSecondary++;
      return result;
    } catch (error) {
      metrics.readFallbacks++;
      events.emit({ type: 'read-fallback', at: new Date(), sql, error: toError(error) });
    }
  }
  if (!shadow || shadow.sampleRate === 0 || Math.random() >= shadow.sampleRate) {
    const result = await run(primary);
    metrics.readsPrimary++;
    return result;
  }
  const [result, other] = await Promise.all([run(primary), run(secondary).then(rowsOf, toError)]);
  metrics.readsPrimary++;
  metrics.shadowReads++;
  const rows = rowsOf(result);
  let same = false;
  if (!(other instanceof Error)) {
    try {
      same = shadow.compare ? shadow.compare(rows, other, sql) : await sameRows(route.types, readTable(sql), rows, other);
    } catch {
      // A comparison that cannot be made counts as a mismatch, to be looked at.
      same = false;
    }
  }
  if (!same) {
    metrics.shadowReadMismatches++;
    events.emit({ type: 'shadow-mismatch', at: new Date(), sql, primary: rows, secondary: other });
  }
  return result;
}
