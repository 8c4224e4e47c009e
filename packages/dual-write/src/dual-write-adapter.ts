import type { CompiledQuery, Kysely } from 'kysely';
import {
  SwitchyardError,
  UnsupportedError,
  createAdapterKysely,
  createPreparedStatement,
  statementKind,
  weakerCapabilities,
  type AdapterCapabilities,
  type CompiledQueryExecutor,
  type DatabaseAdapter,
  type DialectName,
  type ExecResult,
  type PreparedStatement,
  type Row,
  type Statement,
  type StreamOptions,
  type TableInfo,
  type TransactionSettings,
} from '@switchyard/core';
import { queryRawRows, rowsToRawRows, type RawRows } from '@switchyard/core';
import { ColumnTypeCache } from './_internal/column-types';
import { EventHub } from './_internal/event-hub';
import { JournalBook } from './_internal/journal-book';
import { MetricsCollector } from './_internal/metrics-collector';
import { checkLimits, preflight } from './_internal/statement-preflight';
import { routeRead, type ReadRoute } from './_internal/read-router';
import { RecordingTransaction } from './_internal/recording-transaction';
import { DualWriteSession } from './_internal/dual-write-session';
import { streamCompiledFromPrimary, streamFromPrimary } from './_internal/primary-stream';
import { Replicator, isOutage, type TransactionRecord } from './_internal/replicator';
import { RowLocks } from './_internal/row-locks';
import { RowSettler } from './_internal/row-settle';
import { SecondaryApplier } from './_internal/secondary-applier';
import { SecondaryCircuit } from './_internal/secondary-circuit';
import { TableCatalog } from './_internal/table-catalog';
import { advanceGenerators, closeWithJournal } from './_internal/switch-steps';
import { compileFor, type WriteOp } from './_internal/write-op';
import type { DualWriteEventOf, DualWriteEventType } from './dual-write-events';
import type { DualWriteMetadata, SwitchPrimaryOptions } from './dual-write-metadata';
import type { DualWriteMetrics } from './dual-write-metrics';
import { resolveOptions, type DualWriteOptions, type ResolvedOptions } from './dual-write-options';
import { memoryJournal } from './journal-memory';
import type { JournalEntry, ReplayResult } from './journal-types';
import { asyncSwitchError, commitMirrored, recordInTransaction, writeThroughMirror } from './mirror/mirror-writes';
import type { MirrorOp } from './mirror/mirror-op';
import { dedupeRefs, rowName } from './_internal/row-images';
import type { Mirror } from './mirror/mirror-types';
import { FleetControl } from './control/fleet-control';
import type { FleetStatus } from './control/control-types';
import { dualWriteHealth, type DualWriteHealth } from './control/dual-write-health';

/**
 * A {@link DatabaseAdapter} that writes to two databases: each write runs on the primary
 * with the rows it leaves captured, and those rows are applied to the secondary by key.
 * Writes to different rows run concurrently; writes to one row keep the primary's order.
 * Made by {@link createDualWriteAdapter}.
 */
export class DualWriteAdapter<DB = any> implements DatabaseAdapter<DB>, CompiledQueryExecutor {
  readonly #capabilities: [AdapterCapabilities, AdapterCapabilities];
  readonly #sides: [DatabaseAdapter, DatabaseAdapter];
  #primaryIndex: 0 | 1;
  readonly #options: ResolvedOptions;
  readonly #book: JournalBook;
  /** Writes hold it shared; `switchPrimary()` and `close()` exclusively. */
  readonly #gate = new RowLocks();
  readonly #metrics: MetricsCollector;
  readonly #events: EventHub;
  readonly #types: ColumnTypeCache;
  readonly #catalog = new TableCatalog();
  readonly #locks = new RowLocks();
  readonly #circuit: SecondaryCircuit;
  readonly #settler: RowSettler;
  readonly #replicator: Replicator;
  readonly #replayed = new Map<string, string>();
  #replayTimer: ReturnType<typeof setTimeout> | undefined;
  readonly #kyselyDialect: DialectName;
  #db: Kysely<DB> | undefined;
  /** Sessions on a primary without sessions of its own (SQLite, D1) run one at a time. */
  #sessions: Promise<unknown> = Promise.resolve();
  #lastSwitchAt: Date | null = null;
  #switchCount = 0;
  /** The fleet's control record, when the `control` option is set. */
  readonly #fleet: FleetControl | undefined;

  /** @internal Use {@link createDualWriteAdapter}. */
  constructor(primary: DatabaseAdapter, secondary: DatabaseAdapter, options: DualWriteOptions = {}) {
    this.#sides = [primary, secondary];
    this.#options = resolveOptions(primary, secondary, options);
    this.#primaryIndex = this.#options.primaryIndex;
    this.#book = new JournalBook(options.journal ?? memoryJournal());
    this.#metrics = new MetricsCollector(this.#options.collectMetrics);
    this.#events = new EventHub(this.#options.onEvent);
    this.#types = new ColumnTypeCache(() => this.#sides);
    const { secondaryTimeoutMs, probeIntervalMs } = this.#options;
    this.#circuit = new SecondaryCircuit(probeIntervalMs, secondaryTimeoutMs, (side, status) => {
      this.#metrics.circuitChanges++;
      this.#events.emit({ type: 'circuit', at: new Date(), target: side.name, state: status.state, ...(status.reason ? { reason: status.reason } : {}) });
      if (status.state === 'closed') this.#replaySoon();
    });
    this.#settler = new RowSettler(this.#catalog, this.#types);
    this.#settler.onParents = (n) => (this.#metrics.parentRowsCopied += n);
    this.#replicator = new Replicator({
      book: this.#book,
      metrics: this.#metrics,
      events: this.#events,
      catalog: this.#catalog,
      locks: this.#locks,
      applier: new SecondaryApplier({ timeoutMs: secondaryTimeoutMs, maxInFlight: 4, maxGroupStatements: 500 }),
      circuit: this.#circuit,
      settler: this.#settler,
      options: this.#options,
      noteReplay: (sql, reason) => this.#noteReplay(sql, reason),
      replaySoon: () => this.#replaySoon(),
    });
    // Transactions follow the primary: the adapter replays a committed transaction on the
    // secondary itself (as one atomic batch where it has no transactions), so it offers
    // them exactly while the primary does. Every other capability is the weaker side's.
    const weaker = weakerCapabilities(primary.capabilities, secondary.capabilities);
    this.#capabilities = [
      { ...weaker, transactions: primary.capabilities.transactions },
      { ...weaker, transactions: secondary.capabilities.transactions },
    ];
    this.#kyselyDialect = this.primary.dialect;
    const control = options.control;
    if (control) {
      const modes = [`primary-${primary.name}`, `primary-${secondary.name}`] as const;
      this.#fleet = new FleetControl('store' in control ? control : { store: control }, {
        exclusive: (task) => this.#exclusive(task),
        mode: () => `primary-${this.primary.name}`,
        modes,
        adopt: (mode) => void (mode !== this.#mode() && this.#flip()),
        settle: (force) => this.#settleNext(force),
        advance: () => advanceGenerators(this.primary, this.secondary),
        emit: (event) => this.#events.emit(event),
      });
    }
  }

  /**
   * What the adapter can do: the weaker side's limits, and interactive transactions
   * while the current primary has them.
   *
   * @example
   * ```ts
   * adapter.capabilities.maxBoundParameters // 100 with D1 on either side
   * ```
   */
  get capabilities(): AdapterCapabilities {
    return this.#capabilities[this.#primaryIndex];
  }

  /**
   * The side reads and writes go to first.
   *
   * @example
   * ```ts
   * adapter.primary.name // 'sqlite'
   * ```
   */
  get primary(): DatabaseAdapter {
    return this.#sides[this.#primaryIndex];
  }

  /**
   * The side that follows: written after the primary.
   *
   * @example
   * ```ts
   * await adapter.secondary.query('SELECT count(*) AS n FROM users');
   * ```
   */
  get secondary(): DatabaseAdapter {
    return this.#sides[1 - this.#primaryIndex]!;
  }

  /**
   * The current primary's name.
   *
   * @example
   * ```ts
   * adapter.name // 'sqlite', then 'postgres' after switchPrimary()
   * ```
   */
  get name(): string {
    return this.primary.name;
  }

  /**
   * The current primary's dialect.
   *
   * @example
   * ```ts
   * adapter.dialect // 'sqlite'
   * ```
   */
  get dialect(): DialectName {
    return this.primary.dialect;
  }

  /**
   * A Kysely instance whose queries are compiled once per side, from the same query
   * tree, so each engine gets SQL in its own dialect.
   *
   * @example
   * ```ts
   * await adapter.db.insertInto('users').values({ email, admin: true, created: new Date() }).execute();
   * ```
   */
  get db(): Kysely<DB> {
    this.#db ??= createAdapterKysely<DB>(this, this.#kyselyDialect);
    return this.#db;
  }

  /**
   * Runs a statement and returns its rows. A read goes to the primary (or the routed
   * share to the secondary); a write — `INSERT ... RETURNING` included — goes to both,
   * and the primary's rows are returned.
   *
   * @example
   * ```ts
   * const [{ id }] = await adapter.query<{ id: number }>('INSERT INTO users (email) VALUES (?) RETURNING id', [email]);
   * ```
   */
  async query<T = Row>(sql: string, params: readonly unknown[] = []): Promise<T[]> {
    const kind = this.#classify(sql);
    if (kind === 'read') {
      if (this.#fleet) await this.#fleet.admit();
      checkLimits(this.secondary, [{ sql, params }]);
      return this.#rehearsed([{ sql, params }], routeRead(this.#route(), sql, (side) => side.query<Row>(sql, params), (rows) => rows), (rows) => rows) as Promise<T[]>;
    }
    const [result] = await this.#write(this.#op('execute', [{ sql, params }]));
    return (result!.rows ?? []) as T[];
  }

  /**
   * The first row of {@link DualWriteAdapter.query}, or `undefined`.
   *
   * @example
   * ```ts
   * const user = await adapter.first('SELECT * FROM users WHERE id = ?', [1]);
   * ```
   */
  async first<T = Row>(sql: string, params: readonly unknown[] = []): Promise<T | undefined> {
    return (await this.query<T>(sql, params))[0];
  }

  /**
   * Streams a read from the primary with the primary's own `stream()` (SQLite iterator,
   * Postgres cursor, D1 pages), never from the secondary and without shadow comparison.
   * A write with `RETURNING` reaches both sides, as through `query()`.
   *
   * @example
   * ```ts
   * for await (const rows of adapter.stream('SELECT * FROM events ORDER BY id', [], { chunkSize: 500 })) handle(rows);
   * ```
   */
  stream<T = Row>(sql: string, params: readonly unknown[] = [], options: StreamOptions = {}): AsyncIterableIterator<T[]> {
    return streamFromPrimary<T>(this, sql, params, options, () => this.#metrics.readsPrimary++);
  }

  /**
   * Rows as arrays in column order, every column kept where names repeat: a read runs
   * on the primary; a write goes to both through {@link DualWriteAdapter.query}.
   *
   * @example
   * ```ts
   * const { columns, rows } = await adapter.queryRaw('SELECT users.id, posts.id FROM users JOIN posts ON posts.user_id = users.id');
   * ```
   */
  async queryRaw(sql: string, params: readonly unknown[] = []): Promise<RawRows> {
    if (this.#classify(sql) !== 'read') return rowsToRawRows(await this.query<Row>(sql, params));
    checkLimits(this.secondary, [{ sql, params }]);
    return queryRawRows(this.primary, sql, params);
  }

  /**
   * Runs a write on the primary, then on the secondary, and returns the primary's result.
   * A read passed here is routed like {@link DualWriteAdapter.query}.
   *
   * @example
   * ```ts
   * const { rowsAffected } = await adapter.execute('UPDATE users SET admin = ? WHERE id = ?', [true, 1]);
   * ```
   */
  async execute(sql: string, params: readonly unknown[] = []): Promise<ExecResult> {
    const kind = this.#classify(sql);
    if (kind === 'read') {
      if (this.#fleet) await this.#fleet.admit();
      checkLimits(this.secondary, [{ sql, params }]);
      return this.#rehearsed([{ sql, params }], routeRead(this.#route(), sql, (side) => side.execute(sql, params), (r) => r.rows ?? []), (r) => r.rows ?? []);
    }
    const [result] = await this.#write(this.#op('execute', [{ sql, params }]));
    return result!;
  }

  /**
   * Runs statements atomically on the primary, then atomically on the secondary, and
   * returns the primary's results. A failed secondary batch is journaled as one entry.
   *
   * @example
   * ```ts
   * await adapter.batch([
   *   { sql: 'INSERT INTO users (email) VALUES (?)', params: ['a@example.com'] },
   *   { sql: 'INSERT INTO audit (event) VALUES (?)', params: ['signup'] },
   * ]);
   * ```
   */
  async batch(statements: readonly Statement[]): Promise<ExecResult[]> {
    if (statements.length === 0) return [];
    const kinds = statements.map((s) => this.#classify(s.sql));
    const copies = statements.map((s) => ({ sql: s.sql, params: s.params ?? [] }));
    if (kinds.every((k) => k === 'read')) {
      if (this.#fleet) await this.#fleet.admit();
      checkLimits(this.secondary, copies);
      return this.#rehearsed(copies, routeRead(this.#route(), copies[0]!.sql, (side) => side.batch(copies), (results) => results.flatMap((r) => r.rows ?? [])), (r, i) => r[i]?.rows ?? []);
    }
    return this.#write(this.#op('batch', copies));
  }

  /**
   * A D1-style prepared statement over this adapter: `.bind(...).run()` writes to both,
   * `.all()`, `.first()` and `.raw()` read (or write, for a write statement).
   *
   * @example
   * ```ts
   * await adapter.prepare('INSERT INTO users (email) VALUES (?)').bind('a@example.com').run();
   * ```
   */
  prepare(sql: string): PreparedStatement {
    return createPreparedStatement(this, sql);
  }

  /**
   * Runs `fn` in a transaction on the primary. Its writes are recorded and, once the
   * primary commits, replayed on the secondary in one transaction (one atomic `batch()`
   * where the secondary has no interactive transactions). A rolled-back transaction sends
   * nothing. Other writes wait until it ends, so do not await writes on this adapter
   * (rather than on `tx`) inside `fn`. `settings` (isolation level, access mode) apply on
   * the primary.
   *
   * @example
   * ```ts
   * await adapter.transaction(async (tx) => {
   *   await tx.execute('UPDATE accounts SET balance = balance - ? WHERE id = ?', [10, 1]);
   *   await tx.execute('UPDATE accounts SET balance = balance + ? WHERE id = ?', [10, 2]);
   * });
   * ```
   */
  async transaction<T>(fn: (tx: DatabaseAdapter<DB>) => Promise<T>, settings?: TransactionSettings): Promise<T> {
    if (!this.primary.capabilities.transactions) {
      throw new UnsupportedError(
        `${this.primary.name} (the primary) has no interactive transactions. Use batch([...statements]), ` +
          'which runs atomically on each side.',
        { dialect: this.primary.dialect },
      );
    }
    return this.#shared(async () => {
      await this.#book.ready();
      const primary = this.primary;
      const secondary = this.secondary;
      const record: TransactionRecord = { refs: [], images: [], replays: [], statements: [], captured: 0 };
      const started = this.#metrics.now();
      const mirror = this.#options.mirror;
      let mirrored: MirrorOp | undefined;
      await (mirror as { ensureTable?: () => Promise<void> } | undefined)?.ensureTable?.();
      // Settings (isolation level, access mode) apply on the primary, where the transaction runs.
      const result = await primary.transaction(async (tx) => {
        const value = await fn(new RecordingTransaction<DB>(tx, { replicator: this.#replicator, primary, secondary, record }));
        // Async mode: the mirror's entry, holding the rows as this transaction left them, commits with it.
        if (mirror && record.statements.length > 0) {
          mirrored = await recordInTransaction(mirror, tx, await this.#replicator.recordedWork(primary, secondary, record, tx), dedupeRefs(record.refs));
        }
        return value;
      }, settings);
      this.#metrics.recordPrimary(started);
      if (record.statements.length === 0) return result;
      if (record.statements.some((s) => statementKind(s.sql) === 'schema')) this.#invalidate();
      const label = record.statements.map((s) => s.sql).join(';\n');
      if (mirror) {
        this.#metrics.totalWrites++;
        await commitMirrored(mirror, mirrored!, this.#options.continueOnSecondaryFailure);
      } else await this.#replicator.afterTransaction(primary, secondary, record, label);
      return result;
    });
  }

  /**
   * Runs `fn` on one session, as Kysely's `db.connection()` does. On a Postgres primary
   * its reads run on one pinned primary connection (session settings and advisory locks
   * hold), while writes and transactions reach both sides as usual. On SQLite and D1,
   * whose one connection is the session, sessions run one at a time.
   *
   * @example
   * ```ts
   * await adapter.connection(async (session) => session.query('SELECT pg_advisory_lock(42)'));
   * ```
   */
  async connection<T>(fn: (session: DatabaseAdapter<DB>) => Promise<T>): Promise<T> {
    const primary = this.primary;
    if (primary.dialect === 'postgres' && primary.connection) {
      return primary.connection((session) => fn(new DualWriteSession<DB>(this, session)));
    }
    const run = this.#sessions.then(() => fn(this));
    this.#sessions = run.catch(() => undefined);
    return run;
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
    const tables = await this.primary.introspect();
    const hidden = this.#book.journal.location;
    if (!hidden || hidden.adapter !== this.primary) return tables;
    return tables.filter((t) => t.name.toLowerCase() !== hidden.table.toLowerCase());
  }

  /**
   * Waits for the writes in flight, replays what the journal holds, then closes both
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
    clearTimeout(this.#replayTimer);
    this.#fleet?.stop();
    this.#circuit.stop();
    return this.#exclusive(() => closeWithJournal(this.#book, this.#sides, () => this.#replay()));
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
    if (this.#options.mirror) return Promise.reject(asyncSwitchError(this.primary.name, this.secondary.name));
    if (this.#fleet) return this.#fleet.switchFleet(options.force === true).then(() => this.getMetadata());
    return this.#exclusive(async () => {
      await this.#settleNext(options.force === true);
      // The new primary's key generators move past every key the old one handed out.
      await advanceGenerators(this.primary, this.secondary);
      this.#flip();
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
    if (!this.#fleet) throw new UnsupportedError('fleetStatus() needs the control option: createDualWriteAdapter(a, b, { control: controlTable(b) }).');
    await this.#fleet.start();
    return this.#fleet.status();
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
    await this.#fleet?.start();
    return dualWriteHealth({
      primary: this.primary,
      secondary: this.secondary,
      metrics: this.getMetrics(),
      control: this.#fleet ? this.getMetadata().control : null,
      fleet: this.#fleet ? () => this.fleetStatus() : undefined,
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
    return this.#shared(async () => {
      await this.#book.ready();
      return this.#replay();
    });
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
    const entry = (await this.#book.journal.entries()).find((e) => e.id === id);
    if (!entry) return false;
    await this.#book.discard(entry);
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
    return this.#book.journal.entries();
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
    const metrics = this.#metrics.snapshot(this.#mode(), this.#book.depth(), this.#book.oldest(), this.#circuit.status(this.secondary));
    if (this.#options.mirror) metrics.mirror = this.#options.mirror.getMetrics();
    if (this.#fleet) metrics.control = { ...this.#fleet.counters, epoch: this.#fleet.report().epoch, refreshAgeMs: this.#fleet.report().refreshAgeMs, reachable: this.#fleet.report().reachable };
    return metrics;
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
    this.#metrics.reset();
    this.#options.mirror?.resetMetrics();
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
    return {
      mode: this.#mode(),
      primary: this.primary.name,
      secondary: this.secondary.name,
      lastSwitchAt: this.#lastSwitchAt,
      switchCount: this.#switchCount,
      verifyWrites: this.#options.verifyWrites,
      continueOnSecondaryFailure: this.#options.continueOnSecondaryFailure,
      takePrimaryOnConflict: this.#options.takePrimaryOnConflict,
      readSecondaryPercent: this.#options.secondaryPercent,
      shadowReadSampleRate: this.#options.shadowReads?.sampleRate ?? 0,
      journal: this.#book.journal.kind,
      journalDepth: this.#book.depth(),
      secondaryWrites: this.#options.secondaryWrites,
      secondaryTimeoutMs: this.#options.secondaryTimeoutMs,
      replicatedByStatement: [...this.#replayed].map(([sql, reason]) => ({ sql, reason })),
      control: this.#fleet?.report() ?? null,
    };
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
    return this.#events.on(type, listener);
  }

  /** @internal Runs a builder query: compiled per side for writes, on one side for reads. */
  async executeCompiled(compiled: CompiledQuery, target: DatabaseAdapter): Promise<ExecResult & { rows: unknown[] }> {
    if (target instanceof RecordingTransaction) return target.runCompiled(compiled, this.#kyselyDialect);
    if (target instanceof DualWriteSession) return target.runCompiled(compiled, this.#kyselyDialect);
    if (target !== this) {
      const result = await target.execute(compiled.sql, compiled.parameters);
      return { ...result, rows: result.rows ?? [] };
    }
    const kind = this.#classify(compiled.sql);
    if (kind === 'read') {
      if (this.#fleet) await this.#fleet.admit();
      checkLimits(this.secondary, [{ sql: compiled.sql, params: compiled.parameters }]);
      const rows = await routeRead(this.#route(), 
        compiled.sql,
        (side) => {
          const s = compileFor(side, compiled, this.#kyselyDialect);
          return side.query<Row>(s.sql, s.params);
        },
        (r) => r,
      );
      return { rows, rowsAffected: 0 };
    }
    const op = this.#op('execute', [], compiled);
    const [result] = await this.#write(op);
    return { ...result!, rows: result!.rows ?? [] };
  }

  /** @internal Streams a builder query: a read from the primary's `stream()`, anything else as `executeCompiled` runs it. */
  streamCompiled(compiled: CompiledQuery, target: DatabaseAdapter, chunkSize: number): AsyncIterableIterator<unknown[]> {
    return streamCompiledFromPrimary(this, compiled, target, chunkSize, this.#kyselyDialect, () => this.#metrics.readsPrimary++);
  }

  /** Hands statements and the primary's rows to the `rehearse` option, if set; returns the result unchanged. */
  async #rehearsed<R>(statements: readonly Statement[], result: Promise<R>, rowsOf: (value: R, i: number) => Row[] | undefined): Promise<R> {
    const value = await result;
    statements.forEach((s, i) => void this.#options.rehearse?.observe(s, rowsOf(value, i)));
    return value;
  }

  #mode(): string {
    return `primary-${this.primary.name}`;
  }

  /** Replays what the journal holds for the side becoming primary; refuses if some remains, unless `force`. */
  async #settleNext(force: boolean): Promise<void> {
    await this.#book.ready();
    const next = this.secondary;
    if (this.#book.pendingFor(next) === 0) return;
    const replay = await this.#replay();
    if (this.#book.pendingFor(next) > 0 && !force) {
      throw new SwitchyardError(
        'SECONDARY_WRITE_FAILED',
        `Cannot make ${next.name} primary: ${this.#book.pendingFor(next)} journaled writes have not reached it ` +
          `(${replay.error?.message ?? 'replay stopped'}). Fix ${next.name} and call replayJournal(), ` +
          'or pass { force: true } to switch anyway.',
        { dialect: next.dialect, cause: replay.error },
      );
    }
  }

  /** Swaps the roles (the caller holds the gate exclusively) and reports it. */
  #flip(): void {
    this.#primaryIndex = this.#primaryIndex === 0 ? 1 : 0;
    this.#lastSwitchAt = new Date();
    this.#switchCount++;
    const metadata = this.getMetadata();
    this.#events.emit({ type: 'switch', at: this.#lastSwitchAt, primary: metadata.primary, secondary: metadata.secondary, mode: metadata.mode });
  }

  #classify(sql: string): 'read' | 'write' {
    const kind = statementKind(sql);
    if (kind === 'transaction-control') {
      throw new UnsupportedError(
        `"${sql.trim().split(/\s+/)[0]}" cannot be sent through the dual-write adapter: each side has its own ` +
          'connection. Use transaction(fn), or batch([...]) for atomic statements.',
        { sql },
      );
    }
    return kind === 'read' ? 'read' : 'write';
  }

  #op(kind: 'execute' | 'batch', statements: Statement[], compiled?: CompiledQuery): WriteOp {
    // Both sides' statements are prepared before anything runs: a query the secondary's
    // dialect cannot compile fails here, before the primary is written.
    const [a, b] = this.#sides;
    const bySide: WriteOp['bySide'] = compiled
      ? [[compileFor(a, compiled, this.#kyselyDialect)], [compileFor(b, compiled, this.#kyselyDialect)]]
      : [statements, statements];
    const kinds = bySide[0].map((s) => statementKind(s.sql));
    return {
      kind,
      label: bySide[this.#primaryIndex].map((s) => s.sql).join(';\n'),
      bySide,
      verifiable: kinds.map((k) => k === 'write' || k === 'read'),
      schema: kinds.includes('schema'),
    };
  }

  /** The write path: the primary with its rows captured, then the secondary by key. */
  #write(op: WriteOp): Promise<ExecResult[]> {
    return this.#shared(async () => {
      await this.#book.ready();
      const primary = this.primary;
      const secondary = this.secondary;
      const index = this.#primaryIndex;
      const forSecondary = op.bySide[1 - index]!;
      preflight(secondary, forSecondary);
      const mirror = this.#options.mirror;
      let results: ExecResult[];
      if (mirror && primary.capabilities.transactions) {
        // Async mode: the write runs with its rows captured, and the mirror's entry holding
        // those rows commits with it in one primary transaction.
        results = await this.#mirroredWrite(mirror, op, primary, secondary, forSecondary);
      } else if (mirror) {
        // No interactive transactions (D1): the entry carries the statements, in one atomic batch.
        const started = this.#metrics.now();
        results = await writeThroughMirror(mirror, primary, op.kind, op.bySide[index], forSecondary, this.#options.continueOnSecondaryFailure);
        this.#metrics.recordPrimary(started);
        this.#metrics.totalWrites++;
        this.#metrics.replicatedByStatement += forSecondary.length;
      } else {
        const steps = await this.#replicator.steps(primary, op.bySide[index]!, forSecondary);
        results = await this.#replicator.write(op.kind === 'execute' ? 'execute' : 'batch', primary, secondary, steps, op.label);
      }
      if (op.schema) this.#invalidate();
      if (op.bySide[0] === op.bySide[1]) void this.#rehearsed(op.bySide[index]!, Promise.resolve(results), () => undefined);
      return results;
    });
  }

  /** An async-mode write on a primary with transactions: rows captured, entry committed with them. */
  async #mirroredWrite(mirror: Mirror, op: WriteOp, primary: DatabaseAdapter, secondary: DatabaseAdapter, forSecondary: Statement[]): Promise<ExecResult[]> {
    const record: TransactionRecord = { refs: [], images: [], replays: [], statements: [], captured: 0 };
    const started = this.#metrics.now();
    let mirrored: MirrorOp | undefined;
    const own = op.bySide[this.#primaryIndex]!;
    // The outbox table is created outside the transaction, which SQLite would otherwise wait on.
    await (mirror as { ensureTable?: () => Promise<void> }).ensureTable?.();
    const results = await primary.transaction(async (tx) => {
      const recorder = new RecordingTransaction(tx, { replicator: this.#replicator, primary, secondary, record });
      const out: ExecResult[] = [];
      for (const [i, s] of own.entries()) out.push(await recorder.executeAs(s, forSecondary[i] ?? s));
      mirrored = await recordInTransaction(mirror, tx, await this.#replicator.recordedWork(primary, secondary, record, tx), dedupeRefs(record.refs));
      return out;
    });
    this.#metrics.recordPrimary(started);
    this.#metrics.totalWrites++;
    if (mirrored) await commitMirrored(mirror, mirrored, this.#options.continueOnSecondaryFailure);
    return results;
  }

  /** Replays the journal, settling row entries from the other side under their rows' locks. */
  async #replay(): Promise<ReplayResult> {
    // Tables may have been created or fixed behind the adapter's back since they were read.
    this.#catalog.invalidate();
    const names = this.#sides.map((s) => s.name);
    // With two adapters of one name, an entry is for the side that was secondary: the current one.
    const resolve = (name: string) =>
      this.secondary.name === name ? this.secondary : this.primary.name === name ? this.primary : undefined;
    const result = await this.#book.replay(resolve, names, async (target, refs) => {
      const source = target === this.primary ? this.secondary : this.primary;
      const release = await this.#locks.acquire({ sharedTables: refs.map((r) => r.table), exclusiveTables: [], rows: refs.map((r) => rowName(r.table, r.key)) });
      try {
        await this.#settler.resync(source, target, refs);
      } finally {
        release();
      }
    });
    if (result.applied > 0 || result.error) this.#events.emit({ type: 'journal-replayed', at: new Date(), result });
    if (!result.error && result.applied > 0) this.#circuit.close(this.secondary);
    // Cut off by a side that stopped answering again: the circuit's probe replays once it answers.
    else if (result.error && result.remaining > 0 && isOutage(result.error)) this.#circuit.open(this.secondary, result.error.message);
    return result;
  }

  /** A replay shortly after the secondary answers again, or after a late write landed. */
  #replaySoon(): void {
    if (this.#replayTimer || this.#circuit.isOpen(this.secondary)) return;
    this.#replayTimer = setTimeout(() => {
      this.#replayTimer = undefined;
      if (this.#book.depth() > 0) this.replayJournal().catch(() => {});
    }, 50);
    (this.#replayTimer as { unref?: () => void }).unref?.();
  }

  #noteReplay(sql: string, reason: string): void {
    const shape = sql.replace(/\s+/g, ' ').trim().slice(0, 200);
    if (this.#replayed.has(shape) || this.#replayed.size >= 100) return;
    this.#replayed.set(shape, reason);
    this.#events.emit({ type: 'statement-replay', at: new Date(), sql: shape, reason });
  }

  #invalidate(): void {
    this.#types.invalidate();
    this.#catalog.invalidate();
  }

  async #shared<T>(task: () => Promise<T>): Promise<T> {
    // The control record first: a switch it reveals holds this write behind the gate.
    await this.#fleet?.admit();
    const release = await this.#gate.acquire({ sharedTables: ['gate'], exclusiveTables: [], rows: [] });
    try {
      return await task();
    } finally {
      release();
    }
  }

  async #exclusive<T>(task: () => Promise<T>): Promise<T> {
    const release = await this.#gate.acquire({ sharedTables: [], exclusiveTables: ['gate'], rows: [] });
    try {
      return await task();
    } finally {
      release();
    }
  }

  #route(): ReadRoute {
    return {
      primary: this.primary,
      secondary: this.secondary,
      secondaryBehind: this.#book.pendingFor(this.secondary) > 0,
      secondaryPercent: this.#options.secondaryPercent,
      shadow: this.#options.shadowReads,
      types: this.#types,
      metrics: this.#metrics,
      events: this.#events,
    };
  }
}

/**
 * Creates an adapter that writes to both databases during a migration: the primary
 * first, then the secondary; reads from the primary (or a share from the secondary).
 * Swap the roles at cutover with `switchPrimary()`.
 *
 * @example
 * ```ts
 * import { createDualWriteAdapter } from '@switchyard/dual-write';
 * const adapter = createDualWriteAdapter(createSQLiteAdapter('./app.db'), createPostgresAdapter(process.env.DATABASE_URL!), {
 *   mode: 'primary-sqlite',
 *   verifyWrites: true,
 *   continueOnSecondaryFailure: true,
 * });
 * await adapter.execute('INSERT INTO users (email) VALUES (?)', ['a@example.com']);
 * ```
 */
export function createDualWriteAdapter<DB = any>(
  primary: DatabaseAdapter,
  secondary: DatabaseAdapter,
  options: DualWriteOptions = {},
): DualWriteAdapter<DB> {
  return new DualWriteAdapter<DB>(primary, secondary, options);
}
