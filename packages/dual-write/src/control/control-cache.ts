import type { ControlState, ControlStore, InstanceHeartbeat } from './control-types';

/**
 * Wraps a {@link ControlStore} so that `read()` reaches it at most once per `maxAgeMs`
 * and heartbeats at most once per `maxAgeMs` per instance, while compare-and-set always
 * does. For Workers that make an adapter per request: keep the wrapper in module scope,
 * and every request of the isolate shares one read per interval.
 *
 * @example
 * ```ts
 * let control: ControlStore | undefined; // module scope: one per isolate
 * control ??= cachedControlStore(controlTable(createD1Adapter(env.DB)));
 * const db = createDualWriteAdapter(d1, postgres, { control: { store: control, instanceId: ISOLATE_ID, background: false } });
 * ```
 */
export function cachedControlStore(store: ControlStore, options: { maxAgeMs?: number } = {}): ControlStore {
  const maxAgeMs = options.maxAgeMs ?? 1000;
  let cached: { at: number; value: Promise<ControlState | null> } | undefined;
  const beats = new Map<string, { at: number; epoch: number; paused: boolean }>();
  return {
    kind: store.kind,
    read() {
      const now = Date.now();
      if (!cached || now - cached.at >= maxAgeMs) {
        const value = store.read();
        cached = { at: now, value };
        // A failed read is not kept: the next call tries the store again.
        value.catch(() => cached?.value === value && (cached = undefined));
      }
      return cached.value;
    },
    async compareAndSet(expected, next) {
      const written = await store.compareAndSet(expected, next);
      cached = written ? { at: Date.now(), value: Promise.resolve(next) } : undefined;
      return written;
    },
    async heartbeat(beat: InstanceHeartbeat) {
      const last = beats.get(beat.instanceId);
      const now = Date.now();
      // A change of epoch or pause always goes through: a switch waits for it.
      if (last && now - last.at < maxAgeMs && last.epoch === beat.epoch && last.paused === beat.paused) return;
      await store.heartbeat(beat);
      beats.set(beat.instanceId, { at: now, epoch: beat.epoch, paused: beat.paused });
    },
    instances: () => store.instances(),
  };
}
