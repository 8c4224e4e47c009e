import type { DualWriteEvent, DualWriteEventOf, DualWriteEventType } from '../dual-write-events';

type Listener = (event: DualWriteEvent) => void;

/** Listeners by event type, plus one for every event (the `onEvent` option). */
export class EventHub {
  readonly #listeners = new Map<DualWriteEventType, Set<Listener>>();
  readonly #all: Listener | undefined;

  constructor(all?: Listener) {
    this.#all = all;
  }

  on<K extends DualWriteEventType>(type: K, listener: (event: DualWriteEventOf<K>) => void): () => void {
    let set = this.#listeners.get(type);
    if (!set) this.#listeners.set(type, (set = new Set()));
    set.add(listener as Listener);
    return () => void set.delete(listener as Listener);
  }

  emit(event: DualWriteEvent): void {
    // A listener that throws must not turn a successful write into a failed one.
    const call = (listener: Listener) => {
      try {
        listener(event);
      } catch {
        // Listener errors are the listener's to handle.
      }
    };
    if (this.#all) call(this.#all);
    for (const listener of this.#listeners.get(event.type) ?? []) call(listener);
  }
}
