import type { DatabaseAdapter, Row } from '@switchyard/core';
import type { ShadowReadOptions } from '../dual-write-options';
import { readTable, type ColumnTypeCache } from './column-types';
import type { EventHub } from './event-hub';
import type { MetricsCollector } from './metrics-collector';
import { sameRows } from './result-compare';
import { toError } from './to-error';
import { runsOnPrimaryAlone } from './primary-only';

/** What a read needs to know to pick a side. */
export interface ReadRoute {
  primary: DatabaseAdapter;
  secondary: DatabaseAdapter;
  /** The secondary misses journaled writes: it answers no reads until they are replayed. */
  secondaryBehind: boolean;
  secondaryPercent: number;
  shadow: ShadowReadOptions | undefined;
  /** Finds a call of a primary's function that may write (see `WritingFunctions`). */
  writingCalls: () => Promise<RegExp | undefined>;
  /** Finds a read of a table of `excludeTables`, which the secondary does not hold (see `excludedReads`). */
  excludedReads?: RegExp;
  types: ColumnTypeCache;
  metrics: MetricsCollector;
  events: EventHub;
}

/**
 * Functions a read may call whose answer is the primary's session or state, or that change
 * it: a sequence's next value (answered by the secondary, whose sequences replicated rows do
 * not move, it is an id the primary already gave), an advisory lock, a notification, the
 * session's last insert id or change count. Such a read runs on the primary alone.
 */
const PRIMARY_STATE =
  /\b(?:nextval|setval|currval|lastval|pg_(?:try_)?advisory_\w+|pg_notify|txid_current\w*|pg_current_xact_id\w*|set_config|last_insert_rowid|changes|total_changes)\s*\(/i;

/** Whether a read calls a function of {@link PRIMARY_STATE} or takes row locks (`FOR UPDATE`), so it must run on the primary and nowhere else. */
function readsPrimaryState(sql: string): boolean {
  return PRIMARY_STATE.test(sql) || runsOnPrimaryAlone(sql);
}

/**
 * Runs a read on the primary, or on the secondary for the routed share (falling back
 * to the primary when it fails there), and for the sampled share on both, comparing
 * their rows and returning the primary's. A read of the primary's session or state
 * (`nextval`, an advisory lock), or that calls a function of the app's that may write,
 * runs on the primary alone, as does a read of a table of `excludeTables`.
 */
export async function routeRead<R>(
  route: ReadRoute,
  sql: string,
  run: (side: DatabaseAdapter) => Promise<R>,
  rowsOf: (result: R) => Row[],
  texts: readonly string[] = [sql],
): Promise<R> {
  const { primary, secondary, metrics, events } = route;
  // Asked only where the read could go elsewhere: most adapters route and shadow nothing.
  const elsewhere = route.secondaryPercent > 0 || route.shadow !== undefined;
  const excluded = route.excludedReads;
  let primaryState = elsewhere && texts.some((t) => readsPrimaryState(t) || excluded?.test(t) === true);
  if (elsewhere && !primaryState) {
    const writing = await route.writingCalls();
    primaryState = writing !== undefined && texts.some((t) => writing.test(t));
  }
  const shadow = primaryState ? undefined : route.shadow;
  if (!primaryState && route.secondaryPercent > 0 && !route.secondaryBehind && Math.random() * 100 < route.secondaryPercent) {
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
