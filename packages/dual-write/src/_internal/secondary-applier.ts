import { TransientError, type DatabaseAdapter, type Statement } from '@switchyard/core';

/** Settings of the secondary's write path. */
export interface ApplierSettings {
  /** Longest a write waits for the secondary before it is journaled instead. */
  timeoutMs: number;
  /** Batches in flight at once per side. */
  maxInFlight: number;
  /** Statements at most in one grouped batch. */
  maxGroupStatements: number;
}

interface Job {
  statements: Statement[];
  resolve: () => void;
  reject: (error: unknown) => void;
  timer: ReturnType<typeof setTimeout> | undefined;
  /** Set when the caller stopped waiting; the batch may still land later. */
  abandoned: boolean;
  onLate: ((landed: boolean) => void) | undefined;
}

interface SideQueue {
  jobs: Job[];
  inFlight: number;
}

/**
 * Applies writes to the secondary with group commit: writes that arrive while a batch
 * is in flight go together in the next one (one transaction, one round trip, one
 * commit), so concurrent writers share the secondary's commit cost. A group that fails
 * is retried write by write, so one bad write fails alone. A write waits at most
 * `timeoutMs`; a write abandoned that way may still land, and `onLate` tells the caller
 * so it can settle the rows again.
 */
export class SecondaryApplier {
  readonly #settings: ApplierSettings;
  readonly #queues = new Map<DatabaseAdapter, SideQueue>();

  constructor(settings: ApplierSettings) {
    this.#settings = settings;
  }

  apply(side: DatabaseAdapter, statements: Statement[], onLate?: (landed: boolean) => void): Promise<void> {
    if (statements.length === 0) return Promise.resolve();
    return new Promise<void>((resolve, reject) => {
      const job: Job = { statements, resolve, reject, timer: undefined, abandoned: false, onLate };
      const { timeoutMs } = this.#settings;
      if (timeoutMs > 0 && Number.isFinite(timeoutMs)) {
        job.timer = setTimeout(() => {
          job.abandoned = true;
          reject(new TransientError(`${side.name} did not answer within ${timeoutMs} ms (secondaryTimeoutMs).`, { dialect: side.dialect }));
        }, timeoutMs);
      }
      const queue = this.#queue(side);
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
      while (queue.jobs.length > 0 && (group.length === 0 || count + queue.jobs[0]!.statements.length <= this.#settings.maxGroupStatements)) {
        const job = queue.jobs.shift()!;
        // Abandoned before it was sent: it never reaches the secondary.
        if (job.abandoned) {
          job.onLate?.(false);
          continue;
        }
        group.push(job);
        count += job.statements.length;
      }
      if (group.length === 0) continue;
      queue.inFlight++;
      void this.#run(side, group).finally(() => {
        queue.inFlight--;
        this.#pump(side, queue);
      });
    }
  }

  async #run(side: DatabaseAdapter, group: Job[]): Promise<void> {
    try {
      await side.batch(group.flatMap((j) => j.statements));
      for (const job of group) settle(job, undefined, true);
      return;
    } catch (error) {
      if (group.length === 1) return settle(group[0]!, error, false);
    }
    for (const job of group) {
      try {
        await side.batch(job.statements);
        settle(job, undefined, true);
      } catch (error) {
        settle(job, error, false);
      }
    }
  }
}

function settle(job: Job, error: unknown, landed: boolean): void {
  if (job.timer) clearTimeout(job.timer);
  if (job.abandoned) {
    job.onLate?.(landed);
    return;
  }
  if (error === undefined) job.resolve();
  else job.reject(error);
}
