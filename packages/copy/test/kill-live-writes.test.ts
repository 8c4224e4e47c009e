import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import type { DatabaseAdapter } from '@switchyard/core';
import { createSQLiteAdapter } from '@switchyard/sqlite';
import { copyTables } from '../src/index';
import { random, copyAndKill } from './kill-child';
import { ITEMS_POSTGRES, ITEMS_SQLITE, assertTablesEqual, seedSqliteItems, usePostgresDatabase } from './fixtures';

const dir = mkdtempSync(join(tmpdir(), 'switchyard-copy-kill-live-'));
const ROWS = 12_000;
const KILLS = 5;

/** The app's writes (most near `frontier`, the copy's progress), applied to the source and then the target as a dual write does; absolute values only. */
function startWrites(source: DatabaseAdapter, target: DatabaseAdapter, frontier: { id: number }): { stop: () => Promise<number> } {
  const pick = random(7);
  let running = true;
  let writes = 0;
  let nextId = ROWS + 1;
  const loop = (async () => {
    while (running) {
      const op = pick(10);
      // Most writes land near the copy's frontier: in the batch being read, written or reconciled.
      const id = pick(10) < 7 ? Math.max(1, frontier.id - 100 + pick(600)) : 1 + pick(nextId - 1);
      if (op < 3) {
        const row = [nextId++, `new ${writes}`, writes / 7, true, new Date(1_700_000_000_000 + writes * 1000)];
        await source.execute('INSERT INTO items (id, name, score, active, created_at) VALUES (?, ?, ?, ?, ?)', row);
        await target.execute(
          'INSERT INTO items (id, name, score, active, created_at) VALUES (?, ?, ?, ?, ?) ON CONFLICT (id) DO NOTHING',
          row,
        );
      } else if (op < 8) {
        const values = [`updated ${writes}`, writes / 3, op % 2 === 0, id];
        await source.execute('UPDATE items SET name = ?, score = ?, active = ? WHERE id = ?', values);
        await target.execute('UPDATE items SET name = ?, score = ?, active = ? WHERE id = ?', values);
      } else {
        await source.execute('DELETE FROM items WHERE id = ?', [id]);
        await target.execute('DELETE FROM items WHERE id = ?', [id]);
      }
      writes++;
      await new Promise((resolve) => setTimeout(resolve, 1));
    }
  })();
  return {
    stop: async () => {
      running = false;
      await loop;
      return writes;
    },
  };
}

describe('a copy killed at random points beside live writes', () => {
  const postgres = usePostgresDatabase();
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it(`SIGKILLed ${KILLS} times, resumed, ends equal with no repair, never waiting out a claim`, async () => {
    const sourcePath = join(dir, 'source.db');
    const source = createSQLiteAdapter(sourcePath);
    await source.execute(ITEMS_SQLITE);
    seedSqliteItems(source, ROWS);
    await postgres.adapter.execute(ITEMS_POSTGRES);
    const frontier = { id: 1 };
    const writes = startWrites(source, postgres.adapter, frontier);
    const pick = random(2024);
    let kills = 0;
    let out = '';
    try {
      for (let attempt = 0; kills < KILLS && attempt < KILLS * 3; attempt++) {
        const run = await copyAndKill(sourcePath, `postgres:${postgres.url}`, 1 + pick(10), pick(40), frontier);
        out += run.out;
        if (run.killed) kills++;
        else break;
      }
      // The last run, in this process: it takes back the dead child's range at once.
      const started = Date.now();
      const result = await copyTables(source, postgres.adapter, { batchSize: 250, claimTimeoutMs: 600_000 });
      expect(result.tables[0]!.status).toBe('done');
      // Bounded: well under the claim timeout it was given, so no claim was waited out.
      expect(Date.now() - started).toBeLessThan(120_000);
    } finally {
      const total = await writes.stop();
      expect(total).toBeGreaterThan(50);
    }
    expect(kills).toBe(KILLS);
    // A resumed child never waited for its dead predecessor's claim.
    expect(out).not.toMatch(/notice wait/);
    expect(await assertTablesEqual(source, postgres.adapter, 'items')).toBeGreaterThan(ROWS / 2);
    await source.close();
  }, 240_000);
});
