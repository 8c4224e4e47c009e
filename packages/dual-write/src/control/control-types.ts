/**
 * The fleet's control record: which side is primary, under which epoch, and whether a
 * switch is under way. Every instance reads it; `switchPrimary()` advances it.
 *
 * @example
 * ```ts
 * const state: ControlState = { epoch: 3, mode: 'primary-postgres', state: 'active', updatedAt: new Date().toISOString() };
 * ```
 */
export interface ControlState {
  /** Grows by one with every switch (and every aborted switch). */
  epoch: number;
  /** `'primary-<name>'`: the side every instance writes first under this epoch. */
  mode: `primary-${string}`;
  /**
   * `'switching'`: instances finish the writes they began and hold new ones until the
   * record is `'active'` again. `'active'`: instances write under `mode`.
   */
  state: 'active' | 'switching';
  /** When the record was last written (ISO-8601). */
  updatedAt: string;
  /** The instance that wrote it, when known. */
  by?: string;
}

/**
 * What one instance last reported about itself.
 *
 * @example
 * ```ts
 * const stale = (await store.instances()).filter((i) => Date.now() - i.lastSeen.getTime() > 3000);
 * ```
 */
export interface InstanceHeartbeat {
  /** The `instanceId` option, or one made up at start. */
  instanceId: string;
  /** The highest epoch the instance has seen. */
  epoch: number;
  /** The mode it writes under. */
  mode: string;
  /** True while it holds its writes for a switch. */
  paused: boolean;
  /** When it last reported. */
  lastSeen: Date;
}

/**
 * Where the control record and heartbeats live: a `_switchyard_control` table in either
 * database ({@link controlTable}), or any store with compare-and-set, such as a Durable
 * Object or Workers KV (see docs/fleet.md). Every method may throw when the store is
 * unreachable; the adapter then keeps its last mode and reports it.
 *
 * @example
 * ```ts
 * const adapter = createDualWriteAdapter(sqlite, postgres, { control: controlTable(postgres) });
 * ```
 */
export interface ControlStore {
  /** A short description for metadata, e.g. `'table:_switchyard_control@postgres'`. */
  readonly kind: string;
  /** The record, or `null` before any instance wrote one. */
  read(): Promise<ControlState | null>;
  /**
   * Writes `next` only if the record is still `expected` (same epoch and state; `null`:
   * no record yet). Resolves `true` when it wrote.
   */
  compareAndSet(expected: Pick<ControlState, 'epoch' | 'state'> | null, next: ControlState): Promise<boolean>;
  /** Records (or refreshes) one instance's heartbeat. */
  heartbeat(beat: InstanceHeartbeat): Promise<void>;
  /** Every heartbeat recorded, stale ones included. */
  instances(): Promise<InstanceHeartbeat[]>;
}

/**
 * The `control` option's settings, when more than a store is given.
 *
 * @example
 * ```ts
 * createDualWriteAdapter(a, b, { control: { store: controlTable(b), refreshMs: 500, instanceId: process.env.HOSTNAME } });
 * ```
 */
export interface ControlOptions {
  store: ControlStore;
  /**
   * How old the adapter lets its copy of the record get, in milliseconds: every instance
   * takes a new mode within this bound (plus one round trip). Default `1000`.
   */
  refreshMs?: number;
  /**
   * Refresh on a timer as well as on writes. Default: on where timers can be unreferenced
   * (Node); off on Workers, where a write refreshes the record when it is older than `refreshMs`.
   */
  background?: boolean;
  /**
   * Longest a switch waits for every live instance to hold its writes, in milliseconds;
   * past it the switch is called off and the old mode stays. Instances stop holding
   * after this plus twice `refreshMs`. Default `5000`.
   */
  pauseTimeoutMs?: number;
  /** This instance's id in heartbeats. Default: random. */
  instanceId?: string;
}

/**
 * The fleet as one instance sees it: the record, its age, and whether the store answered.
 *
 * @example
 * ```ts
 * const { epoch, refreshAgeMs, reachable } = adapter.getMetadata().control!;
 * ```
 */
export interface ControlReport {
  instanceId: string;
  store: string;
  /** The epoch this instance writes under (0 before the first read). */
  epoch: number;
  mode: string;
  state: 'active' | 'switching';
  /** When the record was last read successfully, or `null`. */
  lastRefreshAt: Date | null;
  /** Milliseconds since then (`Infinity` before the first read). */
  refreshAgeMs: number;
  refreshMs: number;
  /** False while the last read failed: the adapter keeps its last mode. */
  reachable: boolean;
}

/**
 * Instances seen in heartbeats, and whether all live ones are on the current epoch.
 *
 * @example
 * ```ts
 * const { allOnCurrentEpoch, instances } = await adapter.fleetStatus();
 * ```
 */
export interface FleetStatus {
  epoch: number;
  mode: string;
  state: 'active' | 'switching';
  /** Live instances (seen within three refresh intervals), each with `current` set. */
  instances: (InstanceHeartbeat & { current: boolean; live: boolean })[];
  allOnCurrentEpoch: boolean;
}
