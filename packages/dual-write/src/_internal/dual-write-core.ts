import { fitBusyWait } from './sqlite-busy-wait';
import type { CompiledQuery } from 'kysely';
import {
  UnsupportedError,
  statementKind,
  weakerCapabilities,
  type AdapterCapabilities,
  type DatabaseAdapter,
  type DialectName,
  type Row,
  type Statement,
} from '@switchyard/core';
import { FleetControl } from '../control/fleet-control';
import type { DualWriteMetadata } from '../dual-write-metadata';
import { resolveOptions, type DualWriteOptions, type ResolvedOptions } from '../dual-write-options';
import { memoryJournal } from '../journal-memory';
import { ColumnTypeCache } from './column-types';
import { EventHub } from './event-hub';
import { JournalBook } from './journal-book';
import { replaySoon, settleNext } from './journal-replay';
import { MetricsCollector } from './metrics-collector';
import type { ReadRoute } from './read-router';
import { Replicator } from './replicator';
import { RowLocks } from './row-locks';
import { RowSettler } from './row-settle';
import { SecondaryApplier } from './secondary-applier';
import { SecondaryCircuit } from './secondary-circuit';
import { createSecondarySink, type SecondarySink } from './secondary-sink';
import { SecondaryTriggerWatch } from './secondary-triggers';
import { advanceGenerators } from './switch-steps';
import { TableCatalog } from './table-catalog';
import { compileFor, sideForm, type WriteOp } from './write-op';
import { WritingFunctions } from './writing-functions';
import { dualWriteKind } from './primary-only';

/**
 * The state of a dual-write adapter and what its public members share: the two sides and
 * which is primary, the journal, locks, circuit, replicator, the secondary sink, metrics and events, and the gate
 * that `switchPrimary()` closes. The journal replay over this state is in `journal-replay.ts`.
 */
export class DualWriteCore {
  readonly sides: [DatabaseAdapter, DatabaseAdapter];
  primaryIndex: 0 | 1;
  readonly options: ResolvedOptions;
  readonly capabilities: [AdapterCapabilities, AdapterCapabilities];
  readonly book: JournalBook;
  /** Writes hold it shared; `switchPrimary()` and `close()` exclusively. */
  readonly gate = new RowLocks();
  readonly metrics: MetricsCollector;
  readonly events: EventHub;
  readonly types: ColumnTypeCache;
  readonly catalog = new TableCatalog();
  readonly locks = new RowLocks();
  readonly circuit: SecondaryCircuit;
  readonly settler: RowSettler;
  readonly triggers: SecondaryTriggerWatch;
  /** The primary's functions a read may call that write (Postgres), which keep such a read on the primary. */
  readonly writingFunctions = new WritingFunctions();
  /** The secondary's write path (group commit, timeouts, writes abandoned on the way). */
  readonly applier: SecondaryApplier;
  readonly replicator: Replicator;
  /** Where writes go after the primary: the replicator (sync) or the mirror (async). */
  readonly sink: SecondarySink;
  /** Statement shapes replicated as text, with the reason. */
  readonly replayed = new Map<string, string>();
  replayTimer: ReturnType<typeof setTimeout> | undefined;
  /** Tables a replay cut off by an outage settled entries of, whose orphan sweep the next replay of that side runs. */
  unswept: { side: DatabaseAdapter; tables: Set<string> } | undefined;
  readonly kyselyDialect: DialectName;
  /** Sessions on a primary without sessions of its own (SQLite, D1) run one at a time. */
  sessions: Promise<unknown> = Promise.resolve();
  lastSwitchAt: Date | null = null;
  switchCount = 0;
  /** The fleet's control record, when the `control` option is set. */
  readonly fleet: FleetControl | undefined;

  constructor(primary: DatabaseAdapter, secondary: DatabaseAdapter, options: DualWriteOptions) {
    this.sides = [primary, secondary];
    this.options = resolveOptions(primary, secondary, options);
    this.primaryIndex = this.options.primaryIndex;
    this.#fitBusyWait();
    this.book = new JournalBook(options.journal ?? memoryJournal());
    this.metrics = new MetricsCollector(this.options.collectMetrics);
    this.events = new EventHub(this.options.onEvent);
    this.types = new ColumnTypeCache(() => this.sides, this.catalog);
    const { secondaryTimeoutMs, probeIntervalMs } = this.options;
    this.circuit = new SecondaryCircuit(probeIntervalMs, secondaryTimeoutMs, (side, status) => {
      this.metrics.circuitChanges++;
      this.events.emit({
        type: 'circuit',
        at: new Date(),
        target: side.name,
        state: status.state,
        ...(status.reason ? { reason: status.reason } : {}),
      });
      if (status.state === 'closed') replaySoon(this);
    });
    // Two batches in flight: while one is on its way the next gathers the writes that arrive,
    // so under load the secondary gets fewer, larger statements (on a busy machine its CPU
    // per write, not the wait, bounds throughput), and one slow batch does not stop the rest.
    this.applier = new SecondaryApplier({ timeoutMs: secondaryTimeoutMs, maxInFlight: 2, maxGroupStatements: 500 });
    this.settler = new RowSettler(this.catalog, this.types);
    this.triggers = new SecondaryTriggerWatch((side, found) =>
      this.events.emit({ type: 'secondary-trigger', at: new Date(), target: side.name, table: found.table, triggers: found.triggers }),
    );
    this.settler.onParents = (n) => (this.metrics.parentRowsCopied += n);
    this.replicator = new Replicator({
      book: this.book,
      metrics: this.metrics,
      events: this.events,
      catalog: this.catalog,
      locks: this.locks,
      applier: this.applier,
      circuit: this.circuit,
      settler: this.settler,
      triggers: this.triggers,
      options: this.options,
      noteReplay: (sql, reason) => this.noteReplay(sql, reason),
      replaySoon: () => replaySoon(this),
    });
    this.sink = createSecondarySink(
      { replicator: this.replicator, catalog: this.catalog, metrics: this.metrics, options: this.options },
      this.primary,
    );
    // Transactions follow the primary: the adapter replays a committed transaction on the
    // secondary itself (as one atomic batch where it has no transactions), so it offers
    // them exactly while the primary does. Every other capability is the weaker side's.
    const weaker = weakerCapabilities(primary.capabilities, secondary.capabilities);
    this.capabilities = [
      { ...weaker, transactions: primary.capabilities.transactions },
      { ...weaker, transactions: secondary.capabilities.transactions },
    ];
    this.kyselyDialect = this.primary.dialect;
    const control = options.control;
    if (control) {
      const modes = [`primary-${primary.name}`, `primary-${secondary.name}`] as const;
      this.fleet = new FleetControl('store' in control ? control : { store: control }, {
        exclusive: (task) => this.exclusive(task),
        mode: () => this.mode(),
        modes,
        adopt: (mode) => void (mode !== this.mode() && this.flip()),
        settle: (force) => settleNext(this, force),
        advance: () => advanceGenerators(this.primary, this.secondary),
        emit: (event) => this.events.emit(event),
      });
    }
  }

  get primary(): DatabaseAdapter {
    return this.sides[this.primaryIndex];
  }

  get secondary(): DatabaseAdapter {
    return this.sides[1 - this.primaryIndex]!;
  }

  mode(): `primary-${string}` {
    return `primary-${this.primary.name}`;
  }

  /** Refuses transaction control sent as SQL; otherwise whether the statement reads or writes. */
  classify(sql: string): 'read' | 'write' {
    const kind = dualWriteKind(sql);
    if (kind === 'transaction-control') {
      throw new UnsupportedError(
        `"${sql.trim().split(/\s+/)[0]}" cannot be sent through the dual-write adapter: each side has its own ` +
          'connection. Use transaction(fn), or batch([...]) for atomic statements.',
        { sql },
      );
    }
    return kind === 'read' ? 'read' : 'write';
  }

  /** A write in each side's form, prepared before anything runs. */
  op(kind: 'execute' | 'batch', statements: Statement[], compiled?: CompiledQuery): WriteOp {
    // A query the secondary's dialect cannot compile fails here, before the primary is written.
    const [a, b] = this.sides;
    const bySide: WriteOp['bySide'] = compiled
      ? [[compileFor(a, compiled, this.kyselyDialect)], [compileFor(b, compiled, this.kyselyDialect)]]
      : [forSide(a, statements), forSide(b, statements)];
    const kinds = bySide[0].map((s) => statementKind(s.sql));
    return {
      kind,
      label: bySide[this.primaryIndex].map((s) => s.sql).join(';\n'),
      bySide,
      verifiable: kinds.map((k) => k === 'write' || k === 'read'),
      schema: kinds.includes('schema'),
      compiled: compiled !== undefined,
    };
  }

  /** Passes a read's statements and rows to the rehearsal, when one is set. */
  async rehearsed<R>(statements: readonly Statement[], result: Promise<R>, rowsOf: (value: R, i: number) => Row[] | undefined): Promise<R> {
    const value = await result;
    statements.forEach((s, i) => void this.options.rehearse?.observe(s, rowsOf(value, i)));
    return value;
  }

  async shared<T>(task: () => Promise<T>): Promise<T> {
    // The control record first: a switch it reveals holds this write behind the gate.
    if (this.fleet) await this.fleet.admit();
    const release = await this.gate.acquire({ sharedTables: ['gate'], exclusiveTables: [], rows: [] });
    try {
      return await task();
    } finally {
      release();
    }
  }

  async exclusive<T>(task: () => Promise<T>): Promise<T> {
    const release = await this.gate.acquire({ sharedTables: [], exclusiveTables: ['gate'], rows: [] });
    try {
      return await task();
    } finally {
      release();
    }
  }

  route(): ReadRoute {
    return {
      primary: this.primary,
      secondary: this.secondary,
      secondaryBehind: this.book.pendingFor(this.secondary) > 0,
      secondaryPercent: this.options.secondaryPercent,
      shadow: this.options.shadowReads,
      writingCalls: () => this.writingFunctions.calls(this.primary),
      excludedReads: this.options.excludedReads,
      types: this.types,
      metrics: this.metrics,
      events: this.events,
    };
  }

  invalidate(): void {
    this.types.invalidate();
    this.catalog.invalidate();
    this.triggers.forget();
    this.writingFunctions.forget();
  }

  /** Gives a synchronous better-sqlite3 secondary a lock wait the timeout can bound, and the primary its own back (see `fitBusyWait`). */
  #fitBusyWait(): void {
    if (this.options.secondaryWrites === 'sync') fitBusyWait(this.primary, this.secondary, this.options.secondaryTimeoutMs);
  }

  /** Swaps the roles and reports it. */
  flip(): void {
    this.primaryIndex = this.primaryIndex === 0 ? 1 : 0;
    this.#fitBusyWait();
    this.lastSwitchAt = new Date();
    this.switchCount++;
    this.events.emit({
      type: 'switch',
      at: this.lastSwitchAt,
      primary: this.primary.name,
      secondary: this.secondary.name,
      mode: this.mode(),
    });
  }

  noteReplay(sql: string, reason: string): void {
    const shape = sql.replace(/\s+/g, ' ').trim().slice(0, 200);
    if (this.replayed.has(shape) || this.replayed.size >= 100) return;
    this.replayed.set(shape, reason);
    this.events.emit({ type: 'statement-replay', at: new Date(), sql: shape, reason });
  }

  metadata(): DualWriteMetadata {
    const o = this.options;
    return {
      mode: this.mode(),
      primary: this.primary.name,
      secondary: this.secondary.name,
      lastSwitchAt: this.lastSwitchAt,
      switchCount: this.switchCount,
      verifyWrites: o.verifyWrites,
      continueOnSecondaryFailure: o.continueOnSecondaryFailure,
      takePrimaryOnConflict: o.takePrimaryOnConflict,
      readSecondaryPercent: o.secondaryPercent,
      shadowReadSampleRate: o.shadowReads?.sampleRate ?? 0,
      journal: this.book.journal.kind,
      journalDepth: this.book.depth(),
      secondaryWrites: o.secondaryWrites,
      secondaryTimeoutMs: o.secondaryTimeoutMs,
      replicatedByStatement: [...this.replayed].map(([sql, reason]) => ({ sql, reason })),
      secondaryTriggers: this.triggers.found(this.secondary),
      control: this.fleet?.report() ?? null,
    };
  }
}

/** Statements in a side's form (see `sideForm`); the same list on Postgres. */
const forSide = (side: DatabaseAdapter, statements: Statement[]) =>
  side.dialect === 'postgres' ? statements : statements.map((s) => sideForm(side, s));
