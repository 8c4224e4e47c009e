import { InvalidArgumentError } from '@switchyard/core';
import type { ControlOptions, ControlReport, ControlState, ControlStore, FleetStatus } from './control-types';
import { positive, type ControlCounters, type FleetHost, type Mode } from './fleet-host';

/**
 * One instance as a member of the fleet: its options, its heartbeat, whether the control
 * store answers, and the liveness and hold limits derived from `refreshMs`. The control
 * protocol on top of it is `FleetControl`, in `fleet-control.ts`.
 */
export class FleetMember {
  readonly instanceId: string;
  readonly refreshMs: number;
  readonly counters: ControlCounters = { unreachableRefreshes: 0, pauses: 0, longestPauseMs: 0, lastPauseMs: 0, pauseTimeouts: 0 };
  protected readonly store: ControlStore;
  protected readonly host: FleetHost;
  protected readonly pauseTimeoutMs: number;
  protected seen: ControlState | null = null;
  #lastRefreshAt: number | null = null;
  #reachable = true;

  constructor(options: ControlOptions, host: FleetHost) {
    if (host.modes[0] === host.modes[1]) {
      throw new InvalidArgumentError(
        `Both adapters are named ${JSON.stringify(host.modes[0].slice(8))}; give one a different \`name\` so the control record can say which is primary.`,
      );
    }
    this.store = options.store;
    this.host = host;
    this.refreshMs = positive('control.refreshMs', options.refreshMs, 1000);
    this.pauseTimeoutMs = positive('control.pauseTimeoutMs', options.pauseTimeoutMs, 5000);
    this.instanceId = options.instanceId ?? `i-${Math.random().toString(36).slice(2, 10)}`;
  }

  report(): ControlReport {
    const at = this.#lastRefreshAt;
    return {
      instanceId: this.instanceId,
      store: this.store.kind,
      epoch: this.seen?.epoch ?? 0,
      mode: this.host.mode(),
      state: this.seen?.state ?? 'active',
      lastRefreshAt: at === null ? null : new Date(at),
      refreshAgeMs: at === null ? Number.POSITIVE_INFINITY : Date.now() - at,
      refreshMs: this.refreshMs,
      reachable: this.#reachable,
    };
  }

  /** Every heartbeat, marked live (seen within three refresh intervals) and current (on the record's epoch). */
  async status(): Promise<FleetStatus> {
    const [record, beats] = [await this.store.read(), await this.store.instances()];
    const epoch = record?.epoch ?? 0;
    const now = Date.now();
    const instances = beats.map((b) => ({
      ...b,
      live: now - b.lastSeen.getTime() <= this.liveMs(),
      current: b.epoch === epoch && !b.paused,
    }));
    return {
      epoch,
      mode: record?.mode ?? this.host.mode(),
      state: record?.state ?? 'active',
      instances,
      allOnCurrentEpoch: instances.filter((i) => i.live).every((i) => i.current),
    };
  }

  protected beat(paused: boolean, epoch = this.seen?.epoch ?? 0): Promise<void> {
    return this.store.heartbeat({ instanceId: this.instanceId, epoch, mode: this.host.mode(), paused, lastSeen: new Date() });
  }

  protected answered(): void {
    this.#lastRefreshAt = Date.now();
    if (this.#reachable) return;
    this.#reachable = true;
    this.host.emit({ type: 'control', at: new Date(), change: 'reachable', epoch: this.seen?.epoch ?? 0, mode: this.host.mode() });
  }

  protected unreachable(error: unknown): void {
    this.counters.unreachableRefreshes++;
    if (!this.#reachable) return;
    this.#reachable = false;
    this.host.emit({
      type: 'control',
      at: new Date(),
      change: 'unreachable',
      epoch: this.seen?.epoch ?? 0,
      mode: this.host.mode(),
      error: error as Error,
    });
  }

  protected notePause(ms: number): void {
    this.counters.pauses++;
    this.counters.lastPauseMs = ms;
    this.counters.longestPauseMs = Math.max(this.counters.longestPauseMs, ms);
  }

  protected other(mode: Mode): Mode {
    return mode === this.host.modes[0] ? this.host.modes[1] : this.host.modes[0];
  }

  protected liveMs(): number {
    return 3 * this.refreshMs;
  }

  protected holdLimitMs(): number {
    return this.pauseTimeoutMs + 2 * this.refreshMs;
  }

  protected pollMs(): number {
    return Math.max(5, Math.min(25, this.refreshMs / 10));
  }
}
