import { describe, expect, it } from 'vitest';
import { ConstraintError, TransientError } from '@switchyard/core';
import type { JournalEntry } from '../journal-types';
import { settleRowGroup, type RowGroupReplay } from './journal-row-groups';

const entries = (n: number): JournalEntry[] =>
  Array.from({ length: n }, (_, i) => ({ id: i + 1, target: 'b', sql: '', params: [], rows: [], createdAt: 0 }) as unknown as JournalEntry);

/** A replay whose side answers `answer` for each try (the ids it was given); records the tries and what was done. */
function replay(answer: (ids: number[]) => Error | undefined) {
  const tries: number[][] = [];
  const done: number[] = [];
  const failed: number[] = [];
  const parts: RowGroupReplay = {
    settle: async (some) => {
      const ids = some.map((e) => e.id);
      tries.push(ids);
      const error = answer(ids);
      if (error) throw error;
    },
    done: async (some) => void done.push(...some.map((e) => e.id)),
    failed: async (e) => void failed.push(e.id),
  };
  return { parts, tries, done, failed };
}

const lost = () => new TransientError('connection lost', { dialect: 'postgres' });
const refused = () => new ConstraintError('refused', { dialect: 'postgres' });

describe('settleRowGroup', () => {
  it('settles the group in one try when the side takes it', async () => {
    const r = replay(() => undefined);
    expect(await settleRowGroup(entries(5), r.parts)).toEqual({ applied: 5, outage: false });
    expect(r.tries).toEqual([[1, 2, 3, 4, 5]]);
  });

  it('goes one by one when the side refuses, so only the refused entry stays', async () => {
    const r = replay((ids) => (ids.includes(3) ? refused() : undefined));
    const result = await settleRowGroup(entries(5), r.parts);
    expect(result).toMatchObject({ applied: 4, outage: false });
    expect(result.error).toBeInstanceOf(ConstraintError);
    expect(r.done).toEqual([1, 2, 4, 5]);
    expect(r.failed).toEqual([3]);
  });

  it('stops after the first entry alone when the side does not answer: two tries, not one per entry', async () => {
    const r = replay(() => lost());
    const result = await settleRowGroup(entries(100), r.parts);
    expect(result).toMatchObject({ applied: 0, outage: true });
    expect(r.tries.length).toBe(2);
    expect(r.failed).toEqual([1]);
  });

  it('goes on in halves when the first entry lands after a lost connection, or the group was too large', async () => {
    // The side times out on more than 10 rows at once.
    const r = replay((ids) => (ids.length > 10 ? lost() : undefined));
    const result = await settleRowGroup(entries(40), r.parts);
    expect(result).toEqual({ applied: 40, outage: false });
    expect(r.done.sort((a, b) => a - b)).toEqual(Array.from({ length: 40 }, (_, i) => i + 1));
    expect(r.tries.length).toBeLessThan(20);
  });
});
