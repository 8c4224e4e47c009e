import { type DatabaseAdapter, type DialectName, type Row, type Statement } from '@switchyard/core';
import { imageStatements, type RowImage, type TablePair } from './row-images';
import { allowanceText, timeAllowance, valueCount } from './time-allowance';
import { unansweredWrite } from './stranded-writes';

/** Settings of the secondary's write path. */
export interface ApplierSettings {
  /**
   * Longest a write waits for the secondary before it is journaled instead; a bulk write
   * waits this long for each 5,000 values (or 1 MB) it carries ({@link timeAllowance}).
   */
  timeoutMs: number;
  /** Batches in flight at once per side. */
  maxInFlight: number;
  /** Statements at most in one grouped batch. */
  maxGroupStatements: number;
}

/**
 * A write whose statements are exactly `imageStatements(images, pairs, from, side)`: its
 * rows may be merged with the next writes' rows into multi-row statements.
 */
export interface MergeableRows {
  images: RowImage[];
  pairs: (table: string) => TablePair | undefined;
  from: DialectName;
  /** The upserts return the rows as the secondary stored them (`verifyWrites`). */
  returning: boolean;
}

interface Job {
  statements: Statement[];
  rows: MergeableRows | undefined;
  resolve: (rows: Returned[]) => void;
  reject: (error: unknown) => void;
  timer: ReturnType<typeof setTimeout> | undefined;
  /** Set when the caller stopped waiting; the batch may still land later. */
  abandoned: boolean;
  onLate: LateHandler | undefined;
  /** The batch it was sent in, once sent. */
  batch: Batch | undefined;
  /** A bulk write, allowed more than `timeoutMs`: it goes in a batch of its own. */
  bulk: boolean;
}

/**
 * How long a write of these statements may wait: see {@link timeAllowance}, its values being
 * their bound parameters ({@link valueCount}) and one for each row its replayed statements change.
 */
function writeAllowance(timeoutMs: number, statements: readonly Statement[], replayedRows: number): number {
  let values = replayedRows;
  for (const s of statements) values += s.params ? valueCount(s.params) : 0;
  return timeAllowance(timeoutMs, values, 'values');
}

/** Jobs sent together; it holds one of its side's in-flight slots until it settles or every job gave up on it. */
interface Batch {
  jobs: Job[];
  holdsSlot: boolean;
}

/**
 * Told how an abandoned write ended: `true` if it landed after all, `false` if it failed
 * or was never sent (a failure on our side of the network leaves its outcome open). The
 * promise it returns, if any, is awaited by {@link SecondaryApplier.quiesce}.
 */
export type LateHandler = (landed: boolean) => void | Promise<void>;

/** The rows one statement returned. */
export interface Returned {
  statement: Statement;
  rows: Row[];
}

interface SideQueue {
  jobs: Job[];
  inFlight: number;
}

/**
 * Applies writes to the secondary with group commit: writes that arrive while a batch
 * is in flight go together in the next one (one transaction, one round trip, one
 * commit), so concurrent writers share the secondary's commit cost; the rows of
 * consecutive row-image writes in a group become multi-row upserts and deletes (each
 * key at most once per statement, order kept), so they share statements too, and a
 * group that comes down to one statement runs without BEGIN/COMMIT. A group that fails
 * is retried write by write, so one bad write fails alone. A write waits at most
 * `timeoutMs`; a write abandoned that way may still land, and `onLate` tells the caller
 * so it can settle the rows again (a bulk write may wait longer: {@link writeAllowance}).
 */
export class SecondaryApplier {
  readonly #settings: ApplierSettings;
  readonly #queues = new Map<DatabaseAdapter, SideQueue>();
  /** Abandoned writes whose batch was sent and has not settled. */
  readonly #adrift = new Set<Job>();
  /** What late handlers are still doing. */
  readonly #handling = new Set<Promise<void>>();

  constructor(settings: ApplierSettings) {
    this.#settings = settings;
  }

  /**
   * Applies one write's statements. Resolves with the rows the group's statements returned
   * when every write in the group asked for them (`rows.returning`), else with none; for a
   * write merged with others they are the rows of the whole group (callers pick theirs by key).
   * `replayedRows`: the rows the primary's runs of replayed statements among them changed.
   */
  apply(side: DatabaseAdapter, statements: Statement[], onLate?: LateHandler, rows?: MergeableRows, replayedRows = 0): Promise<Returned[]> {
    if (statements.length === 0) return Promise.resolve([]);
    return new Promise<Returned[]>((resolve, reject) => {
      const { timeoutMs } = this.#settings;
      const limited = timeoutMs > 0 && Number.isFinite(timeoutMs);
      const allowed = limited ? writeAllowance(timeoutMs, statements, replayedRows) : timeoutMs;
      const job: Job = {
        statements,
        rows,
        resolve,
        reject,
        timer: undefined,
        abandoned: false,
        onLate,
        batch: undefined,
        bulk: allowed > timeoutMs,
      };
      const queue = this.#queue(side);
      if (limited) {
        job.timer = setTimeout(() => {
          job.abandoned = true;
          this.#adrift.add(job);
          const limit = allowanceText(timeoutMs, allowed, 'values');
          reject(unansweredWrite(side, `${side.name} did not answer within ${limit}.`));
          // A batch no one waits for gives its slot back: one stuck on a connection that hears
          // nothing (a silently dropped flow) could hold it until TCP gives up, and every later
          // write would time out behind it while new connections answer. It may still land: `onLate`.
          const batch = job.batch;
          if (batch?.holdsSlot && batch.jobs.every((j) => j.abandoned)) {
            batch.holdsSlot = false;
            queue.inFlight--;
            this.#pump(side, queue);
          }
        }, allowed);
      }
      queue.jobs.push(job);
      this.#pump(side, queue);
    });
  }

  #queue(side: DatabaseAdapter): SideQueue {
    let queue = this.#queues.get(side);
    if (!queue) {
      queue = { jobs: [], inFlight: 0 };
      this.#queues.set(side, queue);
    }
    return queue;
  }

  #pump(side: DatabaseAdapter, queue: SideQueue): void {
    while (queue.inFlight < this.#settings.maxInFlight && queue.jobs.length > 0) {
      const group: Job[] = [];
      let count = 0;
      // A bulk write goes alone: the writes grouped with it would wait as long as it is allowed to.
      while (
        queue.jobs.length > 0 &&
        (group.length === 0 ||
          (!group[0]!.bulk && !queue.jobs[0]!.bulk && count + queue.jobs[0]!.statements.length <= this.#settings.maxGroupStatements))
      ) {
        const job = queue.jobs.shift()!;
        // Abandoned before it was sent: it never reaches the secondary.
        if (job.abandoned) {
          this.#late(job, false);
          continue;
        }
        group.push(job);
        count += job.statements.length;
      }
      if (group.length === 0) continue;
      const batch: Batch = { jobs: group, holdsSlot: true };
      for (const job of group) job.batch = batch;
      queue.inFlight++;
      void this.#run(side, group).finally(() => {
        if (batch.holdsSlot) queue.inFlight--;
        batch.holdsSlot = false;
        this.#pump(side, queue);
      });
    }
  }

  async #run(side: DatabaseAdapter, group: Job[]): Promise<void> {
    try {
      const rows = await run(side, groupStatements(side, group));
      // Rows returned are kept only when every statement of the group is an upsert that
      // returns its rows: another statement could change a row returned before it.
      const kept = group.every((j) => j.rows?.returning) ? rows : [];
      for (const job of group) this.#settle(job, undefined, true, kept);
      return;
    } catch (error) {
      if (group.length === 1) return this.#settle(group[0]!, error, false);
    }
    for (const job of group) {
      try {
        const rows = await run(side, job.statements);
        this.#settle(job, undefined, true, job.rows?.returning ? rows : []);
      } catch (error) {
        this.#settle(job, error, false);
      }
    }
  }

  /**
   * Waits up to `waitMs` for abandoned writes still on their way to settle, then tells
   * the late handlers of those that have not that their outcome is open (`false`), and
   * waits for every late handler. Before a process stops, this puts the rows of every
   * write that may still land back in the journal for the next instance.
   */
  async quiesce(waitMs: number): Promise<void> {
    const deadline = performance.now() + waitMs;
    while (this.#adrift.size > 0 && performance.now() < deadline) await new Promise((resolve) => setTimeout(resolve, 10));
    for (const job of this.#adrift) this.#late(job, false);
    while (this.#handling.size > 0) await Promise.allSettled([...this.#handling]);
  }

  #settle(job: Job, error: unknown, landed: boolean, rows: Returned[] = []): void {
    if (job.timer) clearTimeout(job.timer);
    if (job.abandoned) return this.#late(job, landed);
    if (error === undefined) job.resolve(rows);
    else job.reject(error);
  }

  /** Hands an abandoned write's outcome to its late handler, once. */
  #late(job: Job, landed: boolean): void {
    this.#adrift.delete(job);
    const onLate = job.onLate;
    job.onLate = undefined;
    const handled = onLate?.(landed);
    if (!handled) return;
    const tracked = handled.catch(() => {}).finally(() => this.#handling.delete(tracked));
    this.#handling.add(tracked);
  }
}

/** One statement is atomic by itself: it skips the BEGIN/COMMIT a batch costs. */
async function run(side: DatabaseAdapter, statements: Statement[]): Promise<Returned[]> {
  if (statements.length === 1)
    return [{ statement: statements[0]!, rows: (await side.execute(statements[0]!.sql, statements[0]!.params ?? [])).rows ?? [] }];
  return (await side.batch(statements)).map((r, i) => ({ statement: statements[i]!, rows: r.rows ?? [] }));
}

/** The group's statements in order, the rows of consecutive row-image writes merged. */
function groupStatements(side: DatabaseAdapter, group: Job[]): Statement[] {
  const out: Statement[] = [];
  let merging: Job[] = [];
  const flush = () => {
    if (merging.length === 1) out.push(...merging[0]!.statements);
    else if (merging.length > 1) {
      const jobs = merging;
      const pairs = (table: string) => jobs.map((j) => j.rows!.pairs(table)).find((p) => p !== undefined)!;
      out.push(
        ...imageStatements(
          jobs.flatMap((j) => j.rows!.images),
          pairs,
          jobs[0]!.rows!.from,
          side,
          jobs[0]!.rows!.returning,
        ),
      );
    }
    merging = [];
  };
  for (const job of group) {
    const head = merging[0]?.rows;
    if (!job.rows || (head && (head.from !== job.rows.from || head.returning !== job.rows.returning))) flush();
    if (job.rows) merging.push(job);
    else out.push(...job.statements);
  }
  flush();
  return out;
}
