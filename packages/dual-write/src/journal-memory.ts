import type { JournalEntry, NewJournalEntry, WriteJournal } from './journal-types';

/**
 * A journal in memory: the default. Entries survive as long as the process; use
 * {@link tableJournal} when a restart must not lose them.
 *
 * @example
 * ```ts
 * const adapter = createDualWriteAdapter(sqlite, pg, { journal: memoryJournal() });
 * ```
 */
export function memoryJournal(): WriteJournal {
  const entries: JournalEntry[] = [];
  let nextId = 1;
  return {
    kind: 'memory',
    async append(entry: NewJournalEntry) {
      const stored: JournalEntry = { ...entry, params: [...entry.params], id: nextId++ };
      entries.push(stored);
      return { ...stored };
    },
    async entries() {
      return entries.map((e) => ({ ...e }));
    },
    async remove(id: number) {
      const at = entries.findIndex((e) => e.id === id);
      if (at >= 0) entries.splice(at, 1);
    },
    async recordAttempt(id: number, error: string) {
      const entry = entries.find((e) => e.id === id);
      if (entry) {
        entry.attempts++;
        entry.error = error;
      }
    },
  };
}
