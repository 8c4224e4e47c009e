import { TransientError, nativeHandle, type DatabaseAdapter } from '@switchyard/core';

/** The circuit's state for one side, as metrics and health checks report it. */
export interface CircuitStatus {
  state: 'closed' | 'open';
  /** When it opened, while open. */
  openedAt?: Date;
  /** What opened it. */
  reason?: string;
}

interface SideCircuit {
  status: CircuitStatus;
  timer: ReturnType<typeof setTimeout> | undefined;
}

/**
 * A breaker in front of each secondary. A write that times out or loses its connection
 * opens it; while open, writes go to the primary and the journal without waiting for a
 * side that does not answer. A background probe (`SELECT 1`, bounded by the timeout)
 * closes it when the side answers again, and `onClose` then replays the journal.
 */
export class SecondaryCircuit {
  readonly #sides = new Map<DatabaseAdapter, SideCircuit>();
  readonly #probeMs: number;
  readonly #timeoutMs: number;
  readonly #onChange: (side: DatabaseAdapter, status: CircuitStatus) => void;
  #closedForGood = false;

  constructor(probeMs: number, timeoutMs: number, onChange: (side: DatabaseAdapter, status: CircuitStatus) => void) {
    this.#probeMs = probeMs;
    this.#timeoutMs = timeoutMs;
    this.#onChange = onChange;
  }

  isOpen(side: DatabaseAdapter): boolean {
    return this.#sides.get(side)?.status.state === 'open';
  }

  status(side: DatabaseAdapter): CircuitStatus {
    return { ...(this.#sides.get(side)?.status ?? { state: 'closed' }) };
  }

  /** Why a write is journaled without trying `side`, whose circuit is open. */
  notAnswering(side: DatabaseAdapter): TransientError {
    const why = this.#sides.get(side)?.status.reason ?? 'circuit open';
    return new TransientError(`${side.name} is not answering (${why}); the write is journaled until it does.`, { dialect: side.dialect });
  }

  open(side: DatabaseAdapter, reason: string): void {
    if (this.#closedForGood || this.isOpen(side)) return;
    const circuit: SideCircuit = { status: { state: 'open', openedAt: new Date(), reason }, timer: undefined };
    this.#sides.set(side, circuit);
    this.#onChange(side, circuit.status);
    this.#schedule(side, circuit);
  }

  /** Closes the circuit: the side answered (a replay went through). */
  close(side: DatabaseAdapter): void {
    const circuit = this.#sides.get(side);
    if (!circuit) return;
    if (circuit.timer) clearTimeout(circuit.timer);
    this.#sides.delete(side);
    this.#onChange(side, { state: 'closed' });
  }

  /** Whether {@link stop} was called: nothing is scheduled any more. */
  get stopped(): boolean {
    return this.#closedForGood;
  }

  /** Stops probing (the adapter is closing). */
  stop(): void {
    this.#closedForGood = true;
    for (const circuit of this.#sides.values()) if (circuit.timer) clearTimeout(circuit.timer);
  }

  #schedule(side: DatabaseAdapter, circuit: SideCircuit): void {
    circuit.timer = setTimeout(() => void this.#probe(side, circuit), this.#probeMs);
    // A probe must not keep a process alive that has nothing else to do.
    (circuit.timer as { unref?: () => void }).unref?.();
  }

  async #probe(side: DatabaseAdapter, circuit: SideCircuit): Promise<void> {
    if (this.#closedForGood) return;
    let timer: ReturnType<typeof setTimeout> | undefined;
    const timeout = new Promise<never>((_, reject) => {
      timer = setTimeout(() => reject(new Error('probe timed out')), this.#timeoutMs);
    });
    try {
      await Promise.race([answers(side), timeout]);
    } catch {
      if (!this.#closedForGood) this.#schedule(side, circuit);
      return;
    } finally {
      clearTimeout(timer);
    }
    circuit.status = { state: 'closed' };
    this.#sides.delete(side);
    this.#onChange(side, circuit.status);
  }
}

/**
 * The probe: `SELECT 1`. On better-sqlite3, whose waits for a lock hold the thread (see
 * `fitBusyWait`), also whether the write lock is free, asked without waiting: a file another
 * process holds locked answers reads, and a circuit closed on that would let the next write
 * wait on the lock again, once per probe, for as long as the lock is held.
 */
async function answers(side: DatabaseAdapter): Promise<void> {
  const db = nativeHandle(side, 'better-sqlite3')?.database;
  if (!db || db.inTransaction) {
    await side.query('SELECT 1');
    return;
  }
  const wait = Number(db.pragma('busy_timeout', { simple: true }));
  db.pragma('busy_timeout = 0');
  try {
    db.exec('BEGIN IMMEDIATE');
    db.exec('ROLLBACK');
  } finally {
    db.pragma(`busy_timeout = ${wait}`);
  }
}
