import { describe, expect, it } from 'vitest';
import type { DatabaseAdapter } from '@switchyard/core';
import { createDualWriteAdapter } from './patient-dual-write';
import { openSide } from './open-side';
import { twoTestDatabases } from './two-databases';

// One process, no fault: eight writers on five hot rows, by key-ordered transactions of two
// rows and single-row statements. verifyWrites counted 24 to 74 divergences in such a run
// (each settled; the sides ended equal): rows a transaction of the process had committed and
// not yet settled, compared while the primary was ahead. It must count none.
describe('verifyWrites on hot rows in one process', () => {
  const dbs = twoTestDatabases();
  for (const [from, to] of [
    ['sqlite', 'postgres'],
    ['postgres', 'sqlite'],
    ['postgres', 'postgres'],
  ] as const) {
    it(`${from} -> ${to}: no divergence counted, both sides equal`, async () => {
      const opened: DatabaseAdapter[] = [];
      const primary = openSide(dbs, from, 'a', opened);
      const secondary = openSide(dbs, to, 'b', opened);
      for (const side of [primary, secondary]) {
        await side.execute('DROP TABLE IF EXISTS hot');
        await side.execute('CREATE TABLE hot (id int PRIMARY KEY, n int)');
      }
      const dual = createDualWriteAdapter(primary, secondary, { verifyWrites: true });
      for (let id = 1; id <= 5; id++) await dual.execute('INSERT INTO hot (id, n) VALUES (?, 0)', [id]);
      await Promise.all(
        Array.from({ length: 8 }, async (_, w) => {
          for (let i = 0; i < 30; i++) {
            const id = 1 + ((w + i) % 5);
            if (i % 3 === 0) {
              // Two rows in key order, as an app avoids deadlocks.
              const [a, b] = [id, 1 + (id % 5)].sort();
              await dual.transaction(async (tx) => {
                await tx.execute('UPDATE hot SET n = n + 1 WHERE id = ?', [a]);
                await tx.execute('UPDATE hot SET n = n + 1 WHERE id = ?', [b]);
              });
            } else if (i % 3 === 1) await dual.execute('UPDATE hot SET n = n + 1 WHERE id = ?', [id]);
            else await dual.execute('UPDATE hot SET n = n * 2 % 1000 WHERE id = ?', [id]);
          }
        }),
      );
      expect(dual.getMetrics()).toMatchObject({ verificationFailures: 0, secondaryFailures: 0 });
      expect(await secondary.query('SELECT id, n FROM hot ORDER BY id')).toEqual(await primary.query('SELECT id, n FROM hot ORDER BY id'));
      await dual.close();
      for (const a of opened) await a.close();
    }, 60_000);
  }
});
