import type { DatabaseAdapter, TableInfo } from '@switchyard/core';
import { dualWriteHealth, type DualWriteHealth } from './control/dual-write-health';
import type { FleetStatus } from './control/control-types';
import { DualWriteCore } from './_internal/dual-write-core';
import { replay, replayJournal, settleNext } from './_internal/journal-replay';
import { advanceGenerators, closeWithJournal } from './_internal/switch-steps';
import type { DualWriteEventOf, DualWriteEventType } from './dual-write-events';
import type { DualWriteMetadata, SwitchPrimaryOptions } from './dual-write-metadata';
import type { DualWriteMetrics } from './dual-write-metrics';
import type { DualWriteOptions } from './dual-write-options';
import type { JournalEntry, ReplayResult } from './journal-types';
import { UnsupportedError } from '@switchyard/core';

/**
 * The cutover, lifecycle and observability members of {@link DualWriteAdapter}:
 * switching the primary (across a fleet with a control record), the journal, schema and
 * `close()`, metrics, metadata, health and events. Its reads and writes are in
 * `DualWriteAdapter`.
 */
export class DualWriteControls {
  /** @internal The adapter's state, shared with `DualWriteAdapter`. */
  protected readonly core: DualWriteCore;

  /** @internal Use {@link createDualWriteAdapter}. */
  constructor(primary: DatabaseAdapter, secondary: DatabaseAdapter, options: DualWriteOptions = {}) {
    this.core = new DualWriteCore(primary, secondary, options);
  }

  /**
   * The primary's tables (the journal's own table left out).
   *
   * @example
   * ```ts
   * const names = (await adapter.introspect()).map((t) => t.name);
   * ```
   */
  async introspect(): Promise<TableInfo[]> {
    const primary = this.core.primary;
    const tables = await primary.introspect();
    const hidden = this.core.book.journal.location;
    if (!hidden || hidden.adapter !== primary) return tables;
    return tables.filter((t) => t.name.toLowerCase() !== hidden.table.toLowerCase());
  }

  /**
   * Fences both sides (see `DatabaseAdapter.fenceAbandoned`): afterwards no statement either
   * side gave up on can still run. Journal replays do this themselves; returns how many
   * server sessions were ended, plus the D1 requests on their way that were waited for.
   *
   * @example
   * ```ts
   * await adapter.fenceAbandoned();
   * ```
   */
  async fenceAbandoned(): Promise<number> {
    const ended = await Promise.all(this.core.sides.map((side) => side.fenceAbandoned?.() ?? 0));
    return ended.reduce((sum, n) => sum + n, 0);
  }

  /**
   * Waits for the writes in flight (and a while for writes abandoned by
   * `secondaryTimeoutMs` that may still land, journaling their rows again), replays what the journal holds, then closes both
   * sides. Entries of a memory journal that still cannot be applied are never dropped
   * silently: `close()` then throws a {@link SecondaryWriteError} saying how many, with
   * the entries in its `entries`.
   *
   * @example
   * ```ts
   * await adapter.close();
   * ```
   */
  async close(): Promise<void> {
    const core = this.core;
    clearTimeout(core.replayTimer);
    core.fleet?.stop();
    core.circuit.stop();
    // Rows journaled from now on name the sessions still running statements: whoever replays them ends those first.
    core.book.stopping = true;
    return core.exclusive(async () => {
      // A write abandoned by its timeout may still land: wait a while for it, and put the
      // rows of any still on its way back in the journal, for this replay or the next instance's.
      await core.applier.quiesce(Math.max(1_000, 4 * core.options.secondaryTimeoutMs));
      return closeWithJournal(core.book, core.sides, () => replay(core));
    });
  }

  /**
   * Swaps primary and secondary. It takes its turn after the write in flight and before
   * writes issued after it, so no write is dropped or applied to one side only. The side
   * becoming primary must hold every write: its journal entries are replayed first, and
   * the switch is refused if some still fail (see `force`). Calling it again rolls back.
   *
   * @example
   * ```ts
   * await adapter.switchPrimary(); // 'primary-sqlite' -> 'primary-postgres'
   * ```
   */
  switchPrimary(options: SwitchPrimaryOptions = {}): Promise<DualWriteMetadata> {
    const core = this.core;
    const refusal = core.sink.switchRefusal(core.primary, core.secondary);
    if (refusal) return Promise.reject(refusal);
    if (core.fleet) return core.fleet.switchFleet(options.force === true).then(() => this.getMetadata());
    return core.exclusive(async () => {
      await settleNext(core, options.force === true);
      // The new primary's key generators move past every key the old one handed out.
      await advanceGenerators(core.primary, core.secondary);
      core.flip();
      return this.getMetadata();
    });
  }

  /**
   * Every instance's heartbeat on the control record, and whether all live ones are on
   * its epoch. Needs the `control` option.
   *
   * @example
   * ```ts
   * const { allOnCurrentEpoch, instances } = await adapter.fleetStatus();
   * ```
   */
  async fleetStatus(): Promise<FleetStatus> {
    const fleet = this.core.fleet;
    if (!fleet)
      throw new UnsupportedError('fleetStatus() needs the control option: createDualWriteAdapter(a, b, { control: controlTable(b) }).');
    await fleet.start();
    return fleet.status();
  }

  /**
   * One cheap round trip to each side, with latency, server version and error, plus mode,
   * epoch, journal depth and age, the secondary's circuit and the fleet's instances.
   * Never throws: what failed is in the report.
   *
   * @example
   * ```ts
   * app.get('/health/database', async (c) => c.json(await adapter.checkHealth()));
   * ```
   */
  async checkHealth(): Promise<DualWriteHealth> {
    const core = this.core;
    await core.fleet?.start();
    return dualWriteHealth({
      primary: core.primary,
      secondary: core.secondary,
      metrics: this.getMetrics(),
      control: core.fleet ? this.getMetadata().control : null,
      fleet: core.fleet ? () => this.fleetStatus() : undefined,
    });
  }

  /**
   * Reapplies journaled writes in order, each to the side it failed on, and removes
   * those that succeed. Stops at the first that fails again, so order is kept.
   *
   * @example
   * ```ts
   * const { applied, remaining, error } = await adapter.replayJournal();
   * ```
   */
  replayJournal(): Promise<ReplayResult> {
    return replayJournal(this.core);
  }

  /**
   * Removes a journal entry without applying it: for a statement entry that can never
   * apply (a table dropped since) once the secondary was repaired by other means. Row
   * entries need no such step: replay settles them from the primary.
   *
   * @example
   * ```ts
   * const [stuck] = await adapter.journalEntries();
   * await adapter.discardJournalEntry(stuck.id);
   * ```
   */
  async discardJournalEntry(id: number): Promise<boolean> {
    const book = this.core.book;
    const entry = (await book.journal.entries()).find((e) => e.id === id);
    if (!entry) return false;
    await book.discard(entry);
    return true;
  }

  /**
   * The journal's entries, oldest first.
   *
   * @example
   * ```ts
   * for (const e of await adapter.journalEntries()) console.log(e.id, e.target, e.error);
   * ```
   */
  async journalEntries(): Promise<JournalEntry[]> {
    return this.core.book.journal.entries();
  }

  /**
   * Counters and latencies since creation or the last `resetMetrics()`.
   *
   * @example
   * ```ts
   * const { secondaryFailures, primaryLatency } = adapter.getMetrics();
   * ```
   */
  getMetrics(): DualWriteMetrics {
    const { metrics, book, circuit, sink, fleet } = this.core;
    const out = metrics.snapshot(this.core.mode(), book.depth(), book.oldest(), circuit.status(this.core.secondary));
    const mirror = sink.mirrorMetrics();
    if (mirror) out.mirror = mirror;
    if (fleet) {
      const report = fleet.report();
      out.control = { ...fleet.counters, epoch: report.epoch, refreshAgeMs: report.refreshAgeMs, reachable: report.reachable };
    }
    return out;
  }

  /**
   * Starts counting again from zero (the journal depth is not a counter and stays).
   *
   * @example
   * ```ts
   * adapter.resetMetrics();
   * ```
   */
  resetMetrics(): void {
    this.core.metrics.reset();
    this.core.sink.resetMetrics();
  }

  /**
   * The current roles and settings.
   *
   * @example
   * ```ts
   * adapter.getMetadata().mode // 'primary-sqlite'
   * ```
   */
  getMetadata(): DualWriteMetadata {
    return this.core.metadata();
  }

  /**
   * Subscribes to one type of event; returns the function that unsubscribes.
   *
   * @example
   * ```ts
   * const off = adapter.on('secondary-failure', (e) => log.warn(e.error.message));
   * ```
   */
  on<K extends DualWriteEventType>(type: K, listener: (event: DualWriteEventOf<K>) => void): () => void {
    return this.core.events.on(type, listener);
  }
}
