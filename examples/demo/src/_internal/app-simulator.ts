import type { DatabaseAdapter } from '@switchyard/core';
import { insertNote, makeNote } from './notes-schema';

/** What the simulated app has done so far. */
export interface AppStats {
  inserts: number;
  updates: number;
  errors: number;
}

/**
 * A stand-in for a live app: a timer loop that inserts notes and edits them through
 * whatever adapter it is given, like request handlers would. It edits only notes it
 * knows exist on both sides (those it wrote itself), until told that the backfill is
 * done: an update to a row not yet copied finds nothing on the secondary, and write
 * verification would count that difference in affected rows.
 */
export class AppSimulator {
  readonly stats: AppStats = { inserts: 0, updates: 0, errors: 0 };
  readonly errors: unknown[] = [];
  readonly #db: DatabaseAdapter;
  readonly #intervalMs: number;
  readonly #editable: string[] = [];
  #timer: NodeJS.Timeout | undefined;
  #inFlight: Promise<void> = Promise.resolve();
  #n = 1_000_000;

  constructor(db: DatabaseAdapter, intervalMs: number) {
    this.#db = db;
    this.#intervalMs = intervalMs;
  }

  /** Starts writing: one write per tick, never two at once from this loop. */
  start(): void {
    if (this.#timer) return;
    const tick = (): void => {
      this.#inFlight = this.#writeOnce().finally(() => {
        if (this.#timer) this.#timer = setTimeout(tick, this.#intervalMs);
      });
    };
    this.#timer = setTimeout(tick, this.#intervalMs);
  }

  /** Stops after the write in flight, if any, has finished. */
  async stop(): Promise<void> {
    const timer = this.#timer;
    this.#timer = undefined;
    if (timer) clearTimeout(timer);
    await this.#inFlight;
  }

  /** Lets the app edit these rows too (the backfill has copied them). */
  allowEdits(ids: readonly string[]): void {
    this.#editable.push(...ids);
  }

  /** Writes a batch of notes right now, outside the timer. */
  async burst(count: number): Promise<void> {
    for (let i = 0; i < count; i++) await this.#writeOnce(true);
  }

  async #writeOnce(insertOnly = false): Promise<void> {
    try {
      if (!insertOnly && this.#editable.length > 0 && Math.random() < 0.3) {
        const id = this.#editable[Math.floor(Math.random() * this.#editable.length)]!;
        const now = new Date().toISOString();
        await this.#db.execute('UPDATE notes SET content = ?, pinned = ?, updated_at = ? WHERE id = ?', [
          `Edited at ${now}`,
          Math.random() < 0.5,
          now,
          id,
        ]);
        this.stats.updates++;
      } else {
        const note = makeNote(this.#n++);
        await insertNote(this.#db, note);
        this.#editable.push(note.id);
        this.stats.inserts++;
      }
    } catch (error) {
      this.stats.errors++;
      this.errors.push(error);
    }
  }
}
