import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it, onTestFailed } from 'vitest';
import type { DatabaseAdapter } from '@switchyard/core';
import { createDualWriteAdapter, type DualWriteAdapter } from '@switchyard/dual-write';
import { createPostgresAdapter } from '@switchyard/postgres';
import { createSQLiteAdapter } from '@switchyard/sqlite';
import { validateDatabases } from '@switchyard/validation';
import { copyTables } from '../src/index';
import { copyAndKill, random } from './kill-child';
import { ITEMS_POSTGRES, ITEMS_SQLITE, seedSqliteItems, usePostgresDatabase } from './fixtures';

const dir = mkdtempSync(join(tmpdir(), 'switchyard-copy-kill-dual-'));
const ROWS = 8_000;
const KILLS = 5;
/** Fresh explicit ids count down from here; generated ids are above it (SQLite's max + 1, Postgres' identity moved past it). */
const EXPLICIT_IDS = 900_000;
// A new seed each run; set KILL_DUAL_SEED to replay a failing one.
const SEED = Number(process.env.KILL_DUAL_SEED ?? Math.floor(Math.random() * 1e9));

/**
 * Two app loops writing through the dual-write adapter while the copy runs: inserts with and
 * without ids (generated id, defaults), re-inserts of deleted keys as upserts, updates that set
 * values and updates relative to the current row (one row and key spans), deletes of one row
 * and of spans. Most writes land near `frontier`, the copy's progress, so they meet the batch
 * being read, written, committed or reconciled when the copy is killed.
 */
function startAppWrites(app: DualWriteAdapter, frontier: { id: number }, seed: number): { stop: () => Promise<number> } {
  let running = true;
  let writes = 0;
  let nextExplicit = EXPLICIT_IDS;
  const deleted = new Set<number>();
  const loop = async (pick: (n: number) => number) => {
    while (running) {
      const op = pick(20);
      // Mostly in the batches being read, written and reconciled (the copy reads one ahead).
      const id = pick(10) < 8 ? Math.max(1, Math.min(ROWS, frontier.id + pick(500))) : 1 + pick(ROWS);
      const n = writes++;
      if (op < 2) {
        await app.execute(
          'INSERT INTO items (id, name, score, active, created_at, payload, data, amount) VALUES (?, ?, ?, ?, ?, ?, ?, ?)',
          [
            nextExplicit--,
            `explicit ${n}`,
            n / 7,
            n % 2 === 0,
            new Date(1_700_000_000_000 + n * 1000),
            { n },
            Buffer.from([n & 255, 0, 10]),
            `${n}.5`,
          ],
        );
      } else if (op < 4) {
        // No id and no created_at: the primary's generator and DEFAULT CURRENT_TIMESTAMP fill them.
        await app.execute('INSERT INTO items (name, score, payload) VALUES (?, ?, ?)', [`generated ${n}`, n / 3, { n, generated: true }]);
      } else if (op < 5 && deleted.size > 0) {
        const again = deleted.values().next().value!;
        deleted.delete(again);
        await app.execute('INSERT INTO items (id, name, active) VALUES (?, ?, ?) ON CONFLICT (id) DO UPDATE SET name = excluded.name', [
          again,
          `again ${n}`,
          true,
        ]);
      } else if (op < 9) {
        await app.execute('UPDATE items SET name = ?, score = ?, active = ?, amount = ? WHERE id = ?', [
          `updated ${n}`,
          n / 3,
          op % 2 === 0,
          `${n}.75`,
          id,
        ]);
      } else if (op < 13) {
        await app.execute("UPDATE items SET score = coalesce(score, 0) + 1, name = name || '+' WHERE id = ?", [id]);
      } else if (op < 15) {
        await app.execute('UPDATE items SET score = coalesce(score, 0) * 2, active = NOT active WHERE id BETWEEN ? AND ?', [id, id + 4]);
      } else if (op < 19) {
        await app.execute('DELETE FROM items WHERE id = ?', [id]);
        deleted.add(id);
      } else {
        await app.execute('DELETE FROM items WHERE id BETWEEN ? AND ?', [id, id + 2]);
      }
      // A turn of the event loop, so the loops interleave.
      await new Promise((resolve) => setImmediate(resolve));
    }
  };
  const loops = Promise.all([loop(random(seed)), loop(random(seed + 1))]);
  return {
    stop: async () => {
      running = false;
      await loops;
      return writes;
    },
  };
}

interface Scenario {
  /** The primary the app and the copy read. */
  primary: DatabaseAdapter;
  /** How copy-child.ts opens the same primary. */
  primarySpec: string;
  /** The adapter the final run in this process reads the primary through. */
  openPrimary: () => DatabaseAdapter;
  secondaryUrl: string;
}

/**
 * Kills a child copy `KILLS` times at random points while the app writes through dual write,
 * runs the last copy to the end in this process, stops the writes, and validates every row.
 */
async function killCopiesBesideDualWrites({ primary, primarySpec, openPrimary, secondaryUrl }: Scenario): Promise<void> {
  onTestFailed(() => console.error(`kill-dual-write: replay with KILL_DUAL_SEED=${SEED}`));
  const secondary = createPostgresAdapter(secondaryUrl);
  const app = createDualWriteAdapter(primary, secondary, { mode: `primary-${primary.name}`, secondaryTimeoutMs: 30_000 });
  const frontier = { id: 1 };
  const writes = startAppWrites(app, frontier, SEED);
  const pick = random(SEED + 7);
  let kills = 0;
  let out = '';
  try {
    for (let attempt = 0; kills < KILLS && attempt < KILLS * 3; attempt++) {
      const run = await copyAndKill(primarySpec, `postgres:${secondaryUrl}`, 1 + pick(4), pick(60), frontier);
      out += run.out;
      if (run.killed) kills++;
      else break;
    }
    const finalSource = openPrimary();
    const finalTarget = createPostgresAdapter(secondaryUrl);
    const result = await copyTables(finalSource, finalTarget, { batchSize: 250, onConflict: 'skip', reconcile: true });
    expect(result.tables[0]!.status).toBe('done');
    if (finalSource !== primary) await finalSource.close();
    await finalTarget.close();
  } finally {
    expect(await writes.stop()).toBeGreaterThan(50);
  }
  expect(kills, `seed ${SEED}`).toBe(KILLS);
  expect(out).not.toMatch(/notice wait/);
  const metrics = app.getMetrics();
  expect(metrics.secondaryFailures, `seed ${SEED}`).toBe(0);
  expect(metrics.replicatedByStatement, `seed ${SEED}`).toBe(0);
  expect(await app.journalEntries()).toEqual([]);
  const report = await validateDatabases(primary, secondary, { validateAllRows: true });
  expect(report.ok, `seed ${SEED}\n${report.summary}`).toBe(true);
  expect(report.totals.targetRows).toBeGreaterThan(ROWS / 2);
  await app.close();
}

describe('a copy killed at random points while the app writes through dual write', () => {
  const secondary = usePostgresDatabase();
  const primaryPostgres = usePostgresDatabase();
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it(`SQLite (WAL file) -> Postgres: SIGKILLed ${KILLS} times, resumed, ends equal with no repair`, async () => {
    const path = join(dir, 'primary.db');
    const primary = createSQLiteAdapter(path);
    await primary.execute(ITEMS_SQLITE);
    seedSqliteItems(primary, ROWS);
    await secondary.adapter.execute(ITEMS_POSTGRES);
    await killCopiesBesideDualWrites({
      primary,
      primarySpec: path,
      // In the app's own process the copy reads through the app's adapter, as the runbook
      // does: a second better-sqlite3 connection to the file would wait synchronously for
      // the reconcile's write lock, freezing the event loop the reconcile needs to finish.
      openPrimary: () => primary,
      secondaryUrl: secondary.url,
    });
  }, 120_000);

  it(`Postgres -> Postgres: SIGKILLed ${KILLS} times, resumed, ends equal with no repair`, async () => {
    await secondary.adapter.execute('DROP TABLE items');
    await secondary.adapter.execute('DROP TABLE IF EXISTS _switchyard_checkpoints');
    const db = primaryPostgres.adapter;
    await db.execute(ITEMS_POSTGRES);
    await db.execute(`INSERT INTO items (id, name, score, active, created_at, payload, data, amount)
      SELECT i, 'name ' || i, CASE WHEN i % 11 = 0 THEN NULL ELSE i / 7.0 END, i % 2 = 0, to_timestamp(1700000000 + i),
             CASE WHEN i % 5 = 0 THEN NULL ELSE jsonb_build_object('i', i) END, decode(lpad(to_hex(i % 256), 2, '0') || '005c0a', 'hex'), i + 0.25
      FROM generate_series(1, ${ROWS}) AS i`);
    await db.execute(`SELECT setval(pg_get_serial_sequence('items', 'id'), ${EXPLICIT_IDS + 1})`);
    await secondary.adapter.execute(ITEMS_POSTGRES);
    await killCopiesBesideDualWrites({
      primary: createPostgresAdapter(primaryPostgres.url),
      primarySpec: `postgres:${primaryPostgres.url}`,
      openPrimary: () => createPostgresAdapter(primaryPostgres.url),
      secondaryUrl: secondary.url,
    });
  }, 120_000);
});
