import type { DatabaseAdapter } from '@switchyard/core';
import { TableCatalog } from '../_internal/table-catalog';
import type { MirrorOp } from './mirror-op';
import { applyOps } from './op-apply';
import { holdsRowsOnly, settleRefused } from './outbox-settle';
import { applyAfterParents } from './outbox-parents';
import { changesSchema, resolveCaptured } from './outbox-resolve';
import type { OutboxMirror } from './outbox-mirror';
import type { KeyColumns } from '../row-ref';
import { executeKeepingSession } from '../_internal/sqlite-session-state';
import type { SchemaTranslator } from '../dual-write-options';
import { translateEntries } from './entry-translations';

/** Options of {@link drainOutbox}. */
export interface DrainOutboxOptions {
  /** The outbox mirror whose entries to apply (its primary holds the outbox). */
  mirror: OutboxMirror;
  /** Entries applied per secondary transaction. Default `500`. */
  batchSize?: number;
  /** Stops the drain between batches; what was applied stays applied. */
  signal?: AbortSignal;
  /**
   * Keep polling an empty outbox every this many ms until `signal` aborts, instead of
   * returning when it is empty. Default: return when empty.
   */
  pollIntervalMs?: number;
  /**
   * Re-read the rows of an out-of-order entry from the primary, and of an entry the
   * secondary refuses once the primary's current rows apply. Default `true`.
   */
  repair?: boolean;
  /** Primary-key columns by table, for per-row ordering; tables not listed are keyed by `id`. */
  keys?: KeyColumns;
  /** Called after each batch, e.g. to report progress. */
  onBatch?: (progress: DrainProgress) => void;
  /**
   * The dual-write adapter's `translateSchema`, for an outbox in a D1 primary whose app
   * changes its schema: such an entry holds the SQLite definition, and the drain translates
   * the table the primary holds when it applies the entry. Without it such an entry stops
   * the drain with an `UntranslatedEntryError`, applying nothing.
   */
  translateSchema?: SchemaTranslator;
}

/** What a drain did. */
export interface DrainProgress {
  /** Entries applied to the secondary. */
  applied: number;
  /** Entries found already applied (a previous drain stopped after applying them), removed. */
  duplicates: number;
  /** Entries older than what the secondary already had for their rows (see `applyOps`). */
  stale: number;
  /** Stale entries whose rows were re-read from the primary. */
  repaired: number;
  /** Entries the secondary refused whose rows were re-read from the primary instead (see `drainOutbox`). */
  settled: number;
  batches: number;
  /** True when `signal` stopped the drain before the outbox was empty. */
  aborted: boolean;
  /** What `translateSchema` left out of the definitions it translated (add those to the secondary by hand). */
  leftOut: string[];
}

/**
 * Applies the outbox's entries to the secondary in sequence order, `batchSize` at a time,
 * and deletes each batch from the outbox once the secondary has committed it. Killing it
 * at any point loses nothing and applies nothing twice: an entry is deleted only after it
 * was applied, and an entry applied but not yet deleted is recognised by its operation id
 * on the next run and only deleted. An entry that holds rows and fails (a value or a
 * constraint the secondary refuses) is settled from the primary's current rows when those
 * apply: the operator fixes the row on the primary, and the next drain goes on. Otherwise a
 * failing entry stops the drain (later entries may depend on it) with a `MirrorApplyError`;
 * the entries before it are applied and removed.
 *
 * @example
 * ```ts
 * const controller = new AbortController();
 * await drainOutbox(secondary, { mirror, signal: controller.signal, pollIntervalMs: 200 });
 * ```
 */
export async function drainOutbox(secondary: DatabaseAdapter, options: DrainOutboxOptions): Promise<DrainProgress> {
  const { mirror, signal } = options;
  const batchSize = options.batchSize ?? 500;
  const progress: DrainProgress = { applied: 0, duplicates: 0, stale: 0, repaired: 0, settled: 0, batches: 0, aborted: false, leftOut: [] };
  const watermark = async () => {
    const row = await mirror.primary.first<{ m: number | string | null }>(`SELECT MAX(seq) AS m FROM ${mirror.table}`);
    return Number(row?.m ?? 0);
  };
  await mirror.ensureTable();
  // Both sides' tables, for entries a Postgres primary captured as rows; read again after a schema change.
  const catalog = new TableCatalog();
  for (;;) {
    if (signal?.aborted) {
      progress.aborted = true;
      break;
    }
    const read = await translateEntries(mirror.primary, await mirror.peek(batchSize), options.translateSchema);
    const peeked = read.ops;
    const ops = await resolveCaptured(mirror.primary, secondary, catalog, peeked);
    if (ops.length === 0) {
      await mirror.sampleMetrics();
      if (options.pollIntervalMs === undefined || !(await sleep(options.pollIntervalMs, signal))) break;
      continue;
    }
    const applyOptions = { repairFrom: options.repair === false ? undefined : mirror.primary, watermark, keys: options.keys };
    const results = await applyOps(secondary, ops, { ...applyOptions, stopOnError: true });
    const failed = results.findIndex((result) => 'error' in result);
    if (failed >= 0 && applyOptions.repairFrom) {
      const repairFrom = applyOptions.repairFrom;
      const settled =
        (await applyAfterParents(secondary, ops[failed]!, results[failed]!, catalog, { ...applyOptions, repairFrom })) ??
        (holdsRowsOnly(peeked[failed]!) ? await settleRefused(secondary, ops[failed]!, results[failed]!, applyOptions) : undefined);
      if (settled) results[failed] = settled;
    }
    const done: number[] = [];
    let failure: Error | undefined;
    for (const [i, result] of results.entries()) {
      if ('error' in result) {
        failure = result.error;
        break;
      }
      done.push(ops[i]!.seq);
      const counter = result.outcome === 'duplicate' ? 'duplicates' : result.outcome;
      progress[counter]++;
      mirror.stats.count(counter);
      // A repaired entry was stale first.
      if (result.outcome === 'repaired') {
        progress.stale++;
        mirror.stats.count('stale');
      }
    }
    await deleteEntries(mirror, done);
    progress.leftOut.push(...read.leftOut);
    if (ops.some(changesSchema)) catalog.invalidate();
    progress.batches++;
    options.onBatch?.({ ...progress });
    if (failure) {
      await mirror.sampleMetrics().catch(() => undefined);
      throw failure;
    }
  }
  await mirror.sampleMetrics().catch(() => undefined);
  return progress;
}

/**
 * Operations read with `mirror.peek()` ready for a secondary: the rows a Postgres primary
 * captured into its entries become that secondary's statements (`drainOutbox` does this
 * itself). The list may come back shorter: it stops after a schema change that comes
 * before captured rows, which must be read with the changed tables.
 *
 * @example
 * ```ts
 * const ops = await resolveOutboxOps(mirror, secondary, await mirror.peek(100));
 * ```
 */
export function resolveOutboxOps(mirror: OutboxMirror, secondary: DatabaseAdapter, ops: readonly MirrorOp[]): Promise<MirrorOp[]> {
  return resolveCaptured(mirror.primary, secondary, new TableCatalog(), ops);
}

// By explicit sequence, not `seq <= last`: on Postgres an entry with a lower sequence can
// commit after a higher one was read, and it must stay until it is applied.
async function deleteEntries(mirror: OutboxMirror, seqs: readonly number[]): Promise<void> {
  const size = Math.max(1, Math.min(500, mirror.primary.capabilities.maxBoundParameters));
  for (let i = 0; i < seqs.length; i += size) {
    const chunk = seqs.slice(i, i + size);
    // A drain in the app's process shares its better-sqlite3 connection: the app's changes() stays its own.
    await executeKeepingSession(mirror.primary, {
      sql: `DELETE FROM ${mirror.table} WHERE seq IN (${chunk.map(() => '?').join(', ')})`,
      params: chunk,
    });
  }
}

/** Waits `ms`; resolves false when the signal aborted first. */
function sleep(ms: number, signal: AbortSignal | undefined): Promise<boolean> {
  if (signal?.aborted) return Promise.resolve(false);
  return new Promise((resolve) => {
    const timer = setTimeout(() => {
      signal?.removeEventListener('abort', onAbort);
      resolve(true);
    }, ms);
    const onAbort = () => {
      clearTimeout(timer);
      resolve(false);
    };
    signal?.addEventListener('abort', onAbort, { once: true });
  });
}
