import { TransientError } from '@switchyard/core';
import { SwitchPrimaryError } from '../switch-primary-error';
import type { ControlOptions, ControlState } from './control-types';
import { sleep, type FleetHost } from './fleet-host';
import { FleetMember } from './fleet-member';

/**
 * Keeps one instance on the fleet's control record: reads it at start and at most once
 * per `refreshMs` (on a timer in Node, on writes everywhere), holds writes while a switch
 * is under way, and runs `switchPrimary()` as a fleet-wide switch under compare-and-set.
 */
export class FleetControl extends FleetMember {
  readonly #background: boolean | undefined;
  #lastAttemptAt = 0;
  #started: Promise<void> | undefined;
  #refreshing: Promise<void> | undefined;
  #holding = false;
  #switching = false;
  #timer: ReturnType<typeof setInterval> | undefined;

  constructor(options: ControlOptions, host: FleetHost) {
    super(options, host);
    this.#background = options.background;
  }

  /** Before a write: the first read at start; on Workers, a read when the record is older than `refreshMs`. */
  admit(): Promise<void> | undefined {
    if (!this.#started) return this.start();
    if (this.#timer !== undefined) return undefined;
    // Writes issued while a read is out wait for it too, so they keep the order they came in.
    if (this.#refreshing || Date.now() - this.#lastAttemptAt >= this.refreshMs) return this.refresh();
    return undefined;
  }

  /** Reads the record (creating it from this instance's mode if there is none) and starts the timer. */
  start(): Promise<void> {
    this.#started ??= this.refresh().then(() => this.#startTimer());
    return this.#started;
  }

  /** Reads the record once (calls in flight share one read) and follows it. */
  refresh(): Promise<void> {
    this.#refreshing ??= this.#refresh().finally(() => (this.#refreshing = undefined));
    return this.#refreshing;
  }

  stop(): void {
    clearInterval(this.#timer);
    this.#timer = undefined;
  }

  /** Switches the fleet: `switching` under a new epoch, every live instance holds, then `active`. */
  async switchFleet(force: boolean): Promise<void> {
    await this.start();
    await this.host.exclusive(async () => {
      this.#switching = true;
      try {
        await this.#switch(force);
      } finally {
        this.#switching = false;
      }
    });
  }

  async #refresh(): Promise<void> {
    this.#lastAttemptAt = Date.now();
    let record: ControlState | null;
    try {
      // The heartbeat goes first: a switch that starts after it sees this instance as live
      // and waits for it, and one that started before it is in the record read next.
      if (!this.#holding && this.seen) await this.beat(false);
      record = await this.store.read();
      if (!record) {
        await this.store.compareAndSet(null, {
          epoch: 1,
          mode: this.host.mode(),
          state: 'active',
          updatedAt: new Date().toISOString(),
          by: this.instanceId,
        });
        record = await this.store.read();
      }
      this.answered();
    } catch (error) {
      this.unreachable(error);
      return;
    }
    if (record && !this.#switching && !this.#holding) this.#follow(record);
  }

  /** Takes the record's mode; a `switching` record holds this instance's writes until it is `active`. */
  #follow(record: ControlState): void {
    const seen = this.seen;
    if (record.state === 'switching' && (!seen || record.epoch > seen.epoch || seen.state === 'active')) {
      if (Date.now() - Date.parse(record.updatedAt) > this.holdLimitMs()) return; // an abandoned switch: keep the mode
      this.#hold(record);
    } else if (record.state === 'active' && (!seen || record.epoch !== seen.epoch || record.mode !== this.host.mode())) {
      this.seen = record;
      if (record.mode !== this.host.mode()) void this.host.exclusive(async () => this.host.adopt(record.mode));
      void this.beat(false).catch(() => {});
    }
  }

  #hold(first: ControlState): void {
    this.#holding = true;
    this.seen = first;
    const noticed = Date.now();
    this.host.emit({ type: 'control', at: new Date(), change: 'switching', epoch: first.epoch, mode: first.mode });
    void this.host
      .exclusive(async () => {
        let record = first;
        // A switch to M is made from the other mode, whatever this instance last saw.
        this.host.adopt(this.other(record.mode));
        // Only an instance with nothing left for the new primary answers the switch.
        const settled = await this.host.settle(false).then(
          () => true,
          () => false,
        );
        if (settled) await this.beat(true).catch(() => {});
        let deadline = noticed + this.holdLimitMs();
        while (record.state === 'switching' && Date.now() < deadline) {
          await sleep(this.pollMs());
          const next = await this.store.read().then(
            (r) => (this.answered(), r),
            (error) => (this.unreachable(error), null),
          );
          if (!next || (next.epoch === record.epoch && next.state === 'switching')) continue;
          if (next.state === 'switching' && next.epoch > record.epoch) {
            this.host.adopt(this.other(next.mode));
            deadline = Date.now() + this.holdLimitMs();
            if (settled) await this.beat(true, next.epoch).catch(() => {});
          }
          record = next;
          this.seen = next;
        }
        const pauseMs = Date.now() - noticed;
        this.notePause(pauseMs);
        if (record.state === 'active') {
          this.host.adopt(record.mode);
          this.host.emit({ type: 'control', at: new Date(), change: 'active', epoch: record.epoch, mode: record.mode, pauseMs });
        } else {
          this.counters.pauseTimeouts++;
          this.host.emit({
            type: 'control',
            at: new Date(),
            change: 'pause-timeout',
            epoch: record.epoch,
            mode: this.host.mode(),
            pauseMs,
          });
        }
        await this.beat(false).catch(() => {});
      })
      .finally(() => (this.#holding = false));
  }

  async #switch(force: boolean): Promise<void> {
    let current: ControlState | null;
    try {
      current = await this.store.read();
      this.answered();
    } catch (error) {
      this.unreachable(error);
      throw new SwitchPrimaryError(
        'store-unreachable',
        `switchPrimary(): the control store (${this.store.kind}) did not answer, so no instance was switched. Fix it and call switchPrimary() again.`,
        { cause: error },
      );
    }
    current ??= { epoch: 0, mode: this.host.mode(), state: 'active', updatedAt: new Date(0).toISOString() };
    if (current.state === 'switching' && Date.now() - Date.parse(current.updatedAt) <= this.holdLimitMs()) {
      throw new TransientError(
        `switchPrimary(): a switch to ${current.mode} (epoch ${current.epoch}, by ${current.by ?? 'another instance'}) is under way. Call it again once it ends.`,
      );
    }
    const from = current.state === 'active' ? current.mode : this.other(current.mode);
    this.host.adopt(from);
    const to = this.other(from);
    const switching: ControlState = {
      epoch: current.epoch + 1,
      mode: to,
      state: 'switching',
      updatedAt: new Date().toISOString(),
      by: this.instanceId,
    };
    const expected = current.epoch === 0 ? null : current;
    if (!(await this.store.compareAndSet(expected, switching))) {
      throw new TransientError(
        'switchPrimary(): another instance changed the control record at the same moment; nothing was switched. Read getMetadata().control and call it again if still needed.',
      );
    }
    this.seen = switching;
    const started = Date.now();
    try {
      await this.beat(true);
      await this.#awaitFleet(switching.epoch);
      await this.host.settle(force);
      await this.host.advance();
    } catch (error) {
      const back: ControlState = {
        epoch: switching.epoch + 1,
        mode: from,
        state: 'active',
        updatedAt: new Date().toISOString(),
        by: this.instanceId,
      };
      if (await this.store.compareAndSet(switching, back).catch(() => false)) this.seen = back;
      this.host.emit({ type: 'control', at: new Date(), change: 'switch-aborted', epoch: back.epoch, mode: from, error: error as Error });
      await this.beat(false).catch(() => {});
      throw error;
    }
    const active: ControlState = { ...switching, state: 'active', updatedAt: new Date().toISOString() };
    const written = await this.store.compareAndSet(switching, active).catch(async () => {
      const now = await this.store.read().catch(() => null);
      return now?.epoch === active.epoch && now.state === 'active';
    });
    if (!written) {
      throw new SwitchPrimaryError(
        'store-incomplete',
        `switchPrimary(): the control store did not take the final step of epoch ${active.epoch}; every instance stays on ${from} once its hold ends. Call switchPrimary() again.`,
      );
    }
    this.seen = active;
    this.host.adopt(to);
    this.notePause(Date.now() - started);
    await this.beat(false).catch(() => {});
  }

  /** Waits until every live instance but this one holds its writes under `epoch`. */
  async #awaitFleet(epoch: number): Promise<void> {
    const deadline = Date.now() + this.pauseTimeoutMs;
    for (;;) {
      const now = Date.now();
      const beats = await this.store.instances();
      const waiting = beats.filter(
        (b) => b.instanceId !== this.instanceId && now - b.lastSeen.getTime() <= this.liveMs() && b.epoch < epoch,
      );
      if (waiting.length === 0) return;
      if (now >= deadline) {
        throw new SwitchPrimaryError(
          'fleet-timeout',
          `switchPrimary(): ${waiting.length} live instance(s) (${waiting.map((w) => w.instanceId).join(', ')}) did not hold their writes within ${this.pauseTimeoutMs} ms; the switch was called off and every instance keeps its mode.`,
        );
      }
      await sleep(this.pollMs());
    }
  }

  #startTimer(): void {
    if (this.#background === false || this.#timer !== undefined) return;
    const timer = setInterval(() => void this.refresh().catch(() => {}), this.refreshMs);
    const unref = (timer as { unref?: () => void }).unref;
    // Without unref (Workers), timers cannot outlive a request: writes refresh instead.
    if (typeof unref !== 'function' && this.#background !== true) return clearInterval(timer);
    unref?.call(timer);
    this.#timer = timer;
  }
}
