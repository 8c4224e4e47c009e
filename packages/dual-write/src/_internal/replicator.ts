import { ConstraintError, SwitchyardError, TransientError, statementKind, type DatabaseAdapter, type ExecResult, type Statement } from '@switchyard/core';
import type { ResolvedOptions } from '../dual-write-options';
import type { JournalEntry } from '../journal-types';
import type { RowRef } from '../mirror/row-ref';
import { SecondaryWriteError } from '../secondary-write-error';
import { writeTable } from './column-types';
import type { EventHub } from './event-hub';
import type { JournalBook } from './journal-book';
import { statementTables } from './journal-book';
import type { MetricsCollector } from './metrics-collector';
import type { RowLocks, LockClaims } from './row-locks';
import { imageStatements, imagesOf, refOf, rowName, type RowImage, type TablePair } from './row-images';
import { isForeignKeyError, type RowSettler } from './row-settle';
import type { SecondaryApplier } from './secondary-applier';
import type { SecondaryCircuit } from './secondary-circuit';
import type { TableCatalog } from './table-catalog';
import { toError } from './to-error';
import { planCapture, splitCaptured, type CapturePlan } from './write-capture';

/** One statement of a write as it replicates: captured as row images, or replayed as text. */
export type Step =
  | { kind: 'capture'; plan: CapturePlan }
  | { kind: 'replay'; primary: Statement; secondary: Statement; reason: string };

/** What the replicator reads and updates: the adapter's own parts. */
export interface ReplicatorParts {
  book: JournalBook;
  metrics: MetricsCollector;
  events: EventHub;
  catalog: TableCatalog;
  locks: RowLocks;
  applier: SecondaryApplier;
  circuit: SecondaryCircuit;
  settler: RowSettler;
  options: ResolvedOptions;
  /** Remembers a statement shape replicated as text, for metadata and a one-time event. */
  noteReplay: (sql: string, reason: string) => void;
  /** Asks for a journal replay soon (a write abandoned by its timeout landed after all). */
  replaySoon: () => void;
}

/** What a dual-write transaction recorded on the primary: rows it wrote, and statements it could not capture. */
export interface TransactionRecord {
  refs: RowRef[];
  replays: Statement[];
  /** Every write as the secondary would run it, for an asynchronous mirror. */
  statements: Statement[];
  /** Statements captured as row images. */
  captured: number;
}

/** What the secondary must receive for one write. */
export interface SecondaryWork {
  label: string;
  /** Statements the secondary runs, in order: image upserts/deletes and replayed statements. */
  statements: Statement[];
  images: RowImage[];
  replays: Statement[];
  /** The tables' definitions `statements` were built with from `images`, when they were. */
  pairs?: (table: string) => TablePair;
}

/**
 * The synchronous dual-write path: each write runs on the primary with its rows captured
 * (`RETURNING`), under in-process locks on the rows it names (or its table), and the
 * rows as the primary left them are applied to the secondary by key.
 */
export class Replicator {
  readonly #p: ReplicatorParts;

  constructor(parts: ReplicatorParts) {
    this.#p = parts;
  }

  /** How each statement replicates: its primary form captured, or its secondary form replayed. */
  async steps(primary: DatabaseAdapter, primaryForm: readonly Statement[], secondaryForm: readonly Statement[], via: DatabaseAdapter = primary): Promise<Step[]> {
    const steps: Step[] = [];
    for (const [i, statement] of primaryForm.entries()) {
      const kind = statementKind(statement.sql);
      let reason = kind === 'schema' ? 'a schema change' : kind === 'read' ? 'a read inside a batch' : undefined;
      if (!reason) {
        const plan = planCapture(statement, await this.#p.catalog.table(primary, writeTable(statement.sql) ?? '', via), primary.dialect);
        if (typeof plan !== 'string') {
          steps.push({ kind: 'capture', plan });
          continue;
        }
        reason = plan;
      }
      steps.push({ kind: 'replay', primary: statement, secondary: secondaryForm[i] ?? statement, reason });
    }
    return steps;
  }

  /** Locks a write holds: its named rows, or its tables whole. */
  claims(steps: readonly Step[]): LockClaims {
    const claims: LockClaims = { sharedTables: [], exclusiveTables: [], rows: [] };
    for (const step of steps) {
      if (step.kind === 'replay') {
        const tables = statementTables([step.primary]);
        if (step.reason === 'a read inside a batch') continue;
        claims.exclusiveTables.push(...tables.filter((t) => t !== '*'));
        continue;
      }
      const { plan } = step;
      if (plan.named) {
        claims.sharedTables.push(plan.table.name);
        claims.rows.push(...plan.named.map((r) => rowName(r.table, r.key)));
      } else if (plan.newRowsOnly) claims.sharedTables.push(plan.table.name);
      else claims.exclusiveTables.push(plan.table.name);
    }
    return claims;
  }

  /** Runs a write on the primary and then the secondary; returns the primary's results as the app expects them. */
  async write(kind: 'execute' | 'batch', primary: DatabaseAdapter, secondary: DatabaseAdapter, steps: Step[], label: string): Promise<ExecResult[]> {
    const { metrics, locks } = this.#p;
    const release = await locks.acquire(this.claims(steps));
    try {
      const run = steps.map((s) => (s.kind === 'capture' ? s.plan.statement : s.primary));
      const started = metrics.now();
      let raw: ExecResult[];
      try {
        raw = kind === 'execute' ? [await primary.execute(run[0]!.sql, run[0]!.params ?? [])] : await primary.batch(run);
      } catch (error) {
        throw asWritten(error, steps);
      }
      metrics.recordPrimary(started);
      metrics.totalWrites++;
      const results: ExecResult[] = [];
      const work: SecondaryWork = { label, statements: [], images: [], replays: [] };
      const pairs = await this.#p.settler.pairs(primary, secondary, steps.flatMap((s) => (s.kind === 'capture' ? [s.plan.table.name] : []))).catch((e: unknown) => e as Error);
      for (const [i, step] of steps.entries()) {
        if (step.kind === 'replay') {
          results.push(raw[i]!);
          if (step.reason === 'a read inside a batch') continue;
          this.#p.noteReplay(step.secondary.sql, step.reason);
          work.statements.push(step.secondary);
          work.replays.push(step.secondary);
          continue;
        }
        const { app, images: rows } = splitCaptured(step.plan, raw[i]!);
        results.push(app);
        const images = imagesOf(step.plan.table, rows, step.plan.parsed.verb === 'delete');
        work.images.push(...images);
        if (!(pairs instanceof Error)) work.statements.push(...imageStatements(images, pairs, primary.dialect, secondary));
      }
      if (!(pairs instanceof Error)) work.pairs = pairs;
      metrics.replicatedByRow += steps.filter((s) => s.kind === 'capture').length;
      metrics.replicatedByStatement += work.replays.length;
      // A table the secondary lacks may be waiting for its CREATE in the journal: then the write waits too.
      if (pairs instanceof Error) await this.#journal(primary, secondary, work, pairs, this.#p.book.statementWaits(secondary, work.images.map((i) => i.table)));
      else await this.toSecondary(primary, secondary, work);
      return results;
    } finally {
      release();
    }
  }

  /**
   * After a primary transaction committed: settles the rows it wrote from the primary's
   * current state (read under the rows' locks, so a concurrent write's newer image is
   * never overwritten) and replays the statements it could not capture, first.
   */
  async afterTransaction(primary: DatabaseAdapter, secondary: DatabaseAdapter, recorded: TransactionRecord, label: string): Promise<void> {
    const refs = dedupe(recorded.refs);
    const claims: LockClaims = {
      sharedTables: refs.map((r) => r.table),
      exclusiveTables: statementTables(recorded.replays).filter((t) => t !== '*'),
      rows: refs.map((r) => rowName(r.table, r.key)),
    };
    const release = await this.#p.locks.acquire(claims);
    try {
      this.#p.metrics.totalWrites++;
      this.#p.metrics.replicatedByRow += recorded.captured;
      this.#p.metrics.replicatedByStatement += recorded.replays.length;
      const work: SecondaryWork = { label, statements: [...recorded.replays], images: [], replays: [...recorded.replays] };
      try {
        work.images = await this.#p.settler.current(primary, refs);
        const pairs = await this.#p.settler.pairs(primary, secondary, work.images.map((i) => i.table));
        work.statements.push(...imageStatements(work.images, pairs, primary.dialect, secondary));
        work.pairs = pairs;
      } catch (error) {
        return await this.#journal(primary, secondary, { ...work, images: [] }, toError(error), false, refs);
      }
      await this.toSecondary(primary, secondary, work);
    } finally {
      release();
    }
  }

  /**
   * Sends one write's work to the secondary: journaled at once when the side's circuit
   * is open or a statement for one of its tables waits in the journal; otherwise applied
   * (grouped with concurrent writes), with missing parents copied first and a
   * constraint refusal settled from the primary; verified under `verifyWrites`.
   */
  async toSecondary(primary: DatabaseAdapter, secondary: DatabaseAdapter, work: SecondaryWork): Promise<void> {
    const { book, circuit, applier, settler, metrics, options, events } = this.#p;
    if (work.statements.length === 0) return;
    const tables = [...new Set([...work.images.map((i) => i.table), ...statementTables(work.replays).filter((t) => t !== '*')])];
    if (book.statementWaits(secondary, tables)) {
      return this.#journal(primary, secondary, work, new SwitchyardError('SECONDARY_WRITE_FAILED', `${secondary.name} has an earlier statement for ${tables.join(', ')} waiting in the journal; this write waits behind it.`), true);
    }
    if (circuit.isOpen(secondary)) {
      const status = circuit.status(secondary);
      return this.#journal(primary, secondary, work, new TransientError(`${secondary.name} is not answering (${status.reason ?? 'circuit open'}); the write is journaled until it does.`), true);
    }
    const started = metrics.now();
    try {
      await this.#apply(primary, secondary, work);
    } catch (error) {
      metrics.recordSecondary(started);
      const failure = toError(error);
      if (isOutage(failure)) {
        if (/secondaryTimeoutMs/.test(failure.message)) metrics.secondaryTimeouts++;
        circuit.open(secondary, failure.message);
      } else if (failure instanceof ConstraintError && options.takePrimaryOnConflict && work.images.length > 0 && work.replays.length === 0) {
        // Settled from the primary's current rows, read under lock so another instance's write lands after.
        try {
          await settler.resync(primary, secondary, work.images.map(refOf), true);
          metrics.secondaryConflictsResolved++;
          metrics.successfulDualWrites++;
          events.emit({ type: 'secondary-conflict', at: new Date(), target: secondary.name, sql: work.label, error: failure, rows: work.images.map(refOf) });
          return;
        } catch {
          // The journal keeps the original error.
        }
      }
      return this.#journal(primary, secondary, work, failure, false);
    }
    metrics.recordSecondary(started);
    metrics.successfulDualWrites++;
    if (options.verifyWrites && work.images.length > 0) await this.verify(primary, secondary, work.images.map(refOf), work.label);
  }

  /** Compares the rows on both sides; a difference is counted, reported, and settled from the primary. */
  async verify(primary: DatabaseAdapter, secondary: DatabaseAdapter, refs: RowRef[], label: string): Promise<void> {
    const { settler, metrics, events } = this.#p;
    let differing: { ref: RowRef; reason: string }[];
    try {
      differing = await settler.differences(primary, secondary, refs);
    } catch (error) {
      differing = refs.map((ref) => ({ ref, reason: `could not compare: ${toError(error).message}` }));
    }
    if (differing.length === 0) return;
    metrics.verificationFailures += differing.length;
    for (const d of differing) {
      events.emit({ type: 'verification-failed', at: new Date(), sql: label, reason: `${d.ref.table} ${JSON.stringify(d.ref.key)}: ${d.reason}`, primary: { rowsAffected: 1 }, secondary: { rowsAffected: 1 } });
    }
    try {
      await settler.resync(primary, secondary, differing.map((d) => d.ref), true);
      metrics.divergencesSettled += differing.length;
    } catch (error) {
      await this.#journal(primary, secondary, { label, statements: [], images: [], replays: [] }, toError(error), false, differing.map((d) => d.ref));
    }
  }

  async #apply(primary: DatabaseAdapter, secondary: DatabaseAdapter, work: SecondaryWork): Promise<void> {
    const { applier, settler } = this.#p;
    const onLate = (landed: boolean) => {
      // A write abandoned by its timeout: its rows may now be older than what later writes
      // left. They are in the journal already; a replay settles them from the primary.
      if (landed && work.replays.length > 0) void this.#forgetLanded(work);
      this.#p.replaySoon();
    };
    // Writes of row images alone may share multi-row statements with concurrent ones.
    const rows = work.pairs && work.replays.length === 0 ? { images: work.images, pairs: work.pairs, from: primary.dialect } : undefined;
    try {
      await applier.apply(secondary, work.statements, onLate, rows);
    } catch (error) {
      if (!isForeignKeyError(error) || work.images.length === 0) throw error;
      // The backfill has not reached a parent yet: copy it from the primary, then try again.
      if ((await settler.copyParents(primary, secondary, work.images)) === 0) throw error;
      await applier.apply(secondary, work.statements, onLate, rows);
    }
  }

  /** A statement journaled after its timeout that landed after all must not run twice. */
  async #forgetLanded(work: SecondaryWork): Promise<void> {
    const entries = await this.#p.book.journal.entries().catch(() => [] as JournalEntry[]);
    const sql = work.replays.length === 1 ? work.replays[0]!.sql : undefined;
    const match = entries.find((e) => !e.rows && (sql ? e.sql === sql && e.params.length === (work.replays[0]!.params ?? []).length : e.sql === work.label));
    if (match) await this.#p.book.discard(match).catch(() => {});
  }

  async #journal(primary: DatabaseAdapter, secondary: DatabaseAdapter, work: SecondaryWork, error: Error, deferred: boolean, rows?: RowRef[]): Promise<void> {
    const { book, metrics, events, options } = this.#p;
    metrics.secondaryFailures++;
    let entry: JournalEntry | undefined;
    let journalError: Error | undefined;
    try {
      if (work.replays.length > 0) entry = await book.append(secondary, { label: work.label, statements: work.replays }, error, deferred);
      const refs = rows ?? dedupe(work.images.map(refOf));
      if (refs.length > 0) entry = await book.append(secondary, { label: work.label, rows: refs }, error, deferred);
    } catch (e) {
      journalError = toError(e);
    }
    events.emit({ type: 'secondary-failure', at: new Date(), target: secondary.name, sql: work.label, error, deferred, ...(entry ? { entry } : {}) });
    const what =
      `The write succeeded on ${primary.name} (primary) but ${deferred ? 'was not sent to' : 'failed on'} ` +
      `${secondary.name} (secondary): ${error.message}`;
    const context = { primary: primary.name, secondary: secondary.name, dialect: secondary.dialect, sql: work.label };
    if (journalError) {
      throw new SecondaryWriteError(
        `${what} The journal could not store it either (${journalError.message}); run validateDatabases and repair ${secondary.name}.`,
        { ...context, cause: journalError },
      );
    }
    if (options.continueOnSecondaryFailure) return;
    throw new SecondaryWriteError(
      `${what} It is kept in the journal as entry ${entry?.id}; it is settled from ${primary.name} by replayJournal(). ` +
        'Set continueOnSecondaryFailure: true to carry on without throwing.',
      { ...context, ...(entry ? { entry } : {}), cause: error },
    );
  }
}

/** The primary's error, naming the statement as the app wrote it rather than with its capture clause. */
function asWritten(error: unknown, steps: readonly Step[]): unknown {
  if (!(error instanceof SwitchyardError) || error.sql === undefined) return error;
  const step = steps.find((s) => s.kind === 'capture' && s.plan.statement.sql === error.sql);
  if (step?.kind === 'capture') Object.defineProperty(error, 'sql', { value: step.plan.source.sql });
  return error;
}

/** A failure of the connection or a timeout, rather than a refusal of the write. */
function isOutage(error: Error): boolean {
  const code = (error as SwitchyardError).code;
  return code === 'TRANSIENT' || code === 'CONNECTION_FAILED' || (code as string) === 'TIMEOUT';
}

function dedupe(refs: RowRef[]): RowRef[] {
  const seen = new Map<string, RowRef>();
  for (const r of refs) seen.set(rowName(r.table, r.key), r);
  return [...seen.values()];
}
