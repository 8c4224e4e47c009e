import type { Ledger, RangeState } from './checkpoint-ledger';
import type { TableRun } from './copy-plan';
import type { ResolvedCopyOptions } from './resolved-copy-options';
import type { ProgressReporter } from './progress-report';
import { copyRange, type RangeContext } from './range-copy';
import type { Retry } from './retry-policy';
import { createWaitReporter } from './wait-notice';

/** The range that stopped the run, with its error. */
export interface RangeFailure {
  readonly run: TableRun;
  readonly range: RangeState;
  readonly error: unknown;
}

/** How the run of every range ended. */
export interface RunOutcome {
  /** The signal stopped the copy. */
  readonly aborted: boolean;
  /** A range failed without `continueOnError`; the other lanes stopped at their next batch. */
  readonly failure: RangeFailure | undefined;
}

/** What the run needs: the tables planned, the ledger holding their ranges, and how to report. */
export interface RunInput {
  readonly options: ResolvedCopyOptions;
  readonly runs: readonly TableRun[];
  readonly ledger: Ledger;
  readonly retry: Retry;
  readonly report: ProgressReporter;
}

/**
 * Runs `concurrency` lanes until every table is finished, the signal fires or a range
 * fails. Each lane claims the next range whose table's foreign-key parents are done,
 * copies it, and claims again; with nothing to claim it waits for its own lanes or
 * polls for other workers' claims.
 */
export async function runCopyLanes(input: RunInput): Promise<RunOutcome> {
  const state = new LaneState(input);
  await Promise.all(Array.from({ length: input.options.concurrency }, () => state.lane()));
  return { aborted: state.aborted, failure: state.failure };
}

/** The flags the lanes of one run share. */
class LaneState {
  aborted = false;
  failure: RangeFailure | undefined;
  /** Set by the first failure without `continueOnError`: lanes stop at their next batch. */
  #stopped = false;
  readonly #input: RunInput;
  readonly #byName: Map<string, TableRun>;
  readonly #range: RangeContext;
  readonly #reportWaits: (waits: { table: string; message: string }[]) => void;

  constructor(input: RunInput) {
    this.#input = input;
    this.#byName = new Map(input.runs.map((r) => [r.job.source.name, r]));
    const { ledger, retry, report, options } = input;
    this.#range = { ledger, retry, report, signal: options.signal, stopping: () => this.#stopped };
    this.#reportWaits = createWaitReporter(options.onNotice);
  }

  async lane(): Promise<void> {
    const { runs, options, ledger } = this.#input;
    while (!this.#stopped) {
      if (options.signal?.aborted) {
        this.aborted = true;
        return;
      }
      let claimed: { run: TableRun; range: RangeState } | undefined;
      let waiting = false;
      const waits: { table: string; message: string }[] = [];
      for (const run of runs) {
        if (run.finished) continue;
        const pending = run.parents.filter((p) => !this.#byName.get(p)?.finished);
        if (pending.length > 0) {
          waiting = true;
          waits.push({ table: run.job.source.name, message: `waits for ${pending.join(', ')} (foreign-key parents) to be copied first` });
          continue;
        }
        const range = await this.#input.retry(() => ledger.claim(run.job.source.name));
        if (range) {
          claimed = { run, range };
          break;
        }
        const settled = await this.#settle(run);
        if (!settled.finished) waiting = true;
        if (settled.heldBy) waits.push({ table: run.job.source.name, message: `waits: ${settled.heldBy}` });
      }
      if (!claimed) {
        if (!waiting) return;
        // Lanes of this process finish soon; ranges of other workers are polled less often.
        const local = runs.some((r) => r.active > 0);
        // Only a process with nothing of its own to do is waiting, as far as its operator is concerned.
        this.#reportWaits(local ? [] : waits);
        await new Promise((resolve) => setTimeout(resolve, local ? 25 : 250));
        continue;
      }
      this.#reportWaits([]);
      await this.#copy(claimed.run, claimed.range);
    }
  }

  async #copy(run: TableRun, range: RangeState): Promise<void> {
    run.active++;
    try {
      if ((await copyRange(this.#range, run, range)) === 'aborted') this.aborted = true;
    } catch (error) {
      const message = error instanceof Error ? error.message : String(error);
      run.error = message;
      await this.#input.ledger.fail(range, message).catch(() => {});
      if (!this.#input.options.continueOnError && !this.failure) {
        this.failure = { run, range, error };
        this.#stopped = true;
      }
    } finally {
      run.active--;
    }
  }

  /** Finished when no range is pending or running; otherwise says whose claim it waits for. */
  async #settle(run: TableRun): Promise<{ finished: boolean; heldBy?: string }> {
    if (run.active > 0) return { finished: false };
    const states = await this.#input.retry(() => this.#input.ledger.list(run.job.source.name));
    const open = states.filter((s) => s.status === 'pending' || s.status === 'running');
    if (open.length > 0) {
      const held = open.filter((s) => s.status === 'running');
      const heldBy =
        held.length === 0
          ? undefined
          : `range(s) ${held.map((s) => s.rangeId).join(', ')} held by worker ${held
              .map((s) => s.worker)
              .filter((w, i, a) => a.indexOf(w) === i)
              .join(', ')} ` +
            `(last heartbeat ${held
              .map((s) => s.updatedAt)
              .sort()
              .pop()}); taken over when the heartbeat is ${this.#input.options.claimTimeoutMs} ms old`;
      return { finished: false, heldBy };
    }
    run.finished = true;
    run.endedAt = performance.now();
    run.status = states.some((s) => s.status === 'failed') ? 'failed' : 'done';
    return { finished: true };
  }
}
