import { describe, expect, it } from 'vitest';
import { validateDatabases } from './index';
import { openEngine } from '../test/engine-pairs';
import { withLiveWrite } from '../test/live-writes';

// A table is read page by page while the app writes through dual write: a write that reached
// the source before its page was read, and the target only after, made the row differ for
// that moment, and validation reported it: on a live app every run listed rows to repair that
// were equal. The rows found different are read again on both sides now; only what persists
// is reported, and how many settled is said.
describe('validation while writes are in flight', () => {
  it.each([
    ['sqlite', 'postgres', true],
    ['postgres', 'sqlite', true],
    ['sqlite', 'd1', false],
  ] as const)(
    '%s -> %s (all rows: %s): a write landing during the pass is not reported; a real difference is',
    async (from, to, validateAllRows) => {
      const [source, target] = [await openEngine(from), await openEngine(to)];
      try {
        for (const side of [source.adapter, target.adapter]) {
          await side.execute('CREATE TABLE orders (id integer PRIMARY KEY, status text)');
          for (let id = 1; id <= 8; id++) await side.execute('INSERT INTO orders VALUES (?, ?)', [id, 'open']);
        }
        // In flight: on the source, not yet on the target (row 3 updated, row 9 inserted, row 5 deleted).
        await source.adapter.execute(`UPDATE orders SET status = 'paid' WHERE id = 3`);
        await source.adapter.execute(`INSERT INTO orders VALUES (9, 'open')`);
        await source.adapter.execute('DELETE FROM orders WHERE id = 5');
        // A real difference: row 7 differs for good.
        await target.adapter.execute(`UPDATE orders SET status = 'lost' WHERE id = 7`);
        const land = async () => {
          await target.adapter.execute(`UPDATE orders SET status = 'paid' WHERE id = 3`);
          await target.adapter.execute(`INSERT INTO orders VALUES (9, 'open')`);
          await target.adapter.execute('DELETE FROM orders WHERE id = 5');
        };
        const options = { validateAllRows, sampleSize: 50 };
        const report = await validateDatabases(source.adapter, withLiveWrite(target.adapter, 'query', land, { after: true }), options);
        expect(report.tables[0]).toMatchObject({
          differentRows: [{ key: { id: 7 } }],
          differentRowsCount: 1,
          missingInTargetCount: 0,
          extraInTargetCount: 0,
        });
        // Sampling reads the target's keys before the write lands and its rows after: it sees one of the three.
        expect(report.tables[0]!.settledOnRecheck).toBe(validateAllRows ? 3 : 1);
        expect(report.ok).toBe(false);

        // Without the second read, the moment is what is reported.
        await target.adapter.execute(`UPDATE orders SET status = 'open' WHERE id = 3`);
        await target.adapter.execute('DELETE FROM orders WHERE id = 9');
        await target.adapter.execute(`INSERT INTO orders VALUES (5, 'open')`);
        const moment = await validateDatabases(source.adapter, withLiveWrite(target.adapter, 'query', land, { after: true }), {
          ...options,
          recheckDifferences: false,
        });
        const seen = moment.tables[0]!;
        expect(seen.differentRowsCount + seen.missingInTargetCount + seen.extraInTargetCount).toBe(validateAllRows ? 4 : 2);
        expect(moment.tables[0]!.settledOnRecheck).toBeUndefined();
      } finally {
        await source.dispose();
        await target.dispose();
      }
    },
  );
});
