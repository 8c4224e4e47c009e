import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createSQLiteAdapter, type SQLiteAdapter } from '@switchyard/sqlite';
import { createReconciler } from '../src/_internal/batch-reconcile';
import { prepareTableJob, type TableJob } from '../src/_internal/table-job';
import { resolveCopyOptions } from '../src/_internal/resolved-copy-options';
import { ITEMS_POSTGRES, ITEMS_SQLITE, assertTablesEqual, itemRow, seedSqliteItems, usePostgresDatabase } from './fixtures';

/** The next double above `x`: the smallest change a REAL can take. */
function nextUp(x: number): number {
  const view = new DataView(new ArrayBuffer(8));
  view.setFloat64(0, x);
  view.setBigUint64(0, view.getBigUint64(0) + 1n);
  return view.getFloat64(0);
}

/**
 * The reconcile of a batch read as COPY text (SQLite -> Postgres): each source value is
 * changed minimally after the batch was read and written, and the reconcile must bring
 * the target row up to date, whichever connection wrote it.
 */
describe('reconcile of a batch read as COPY text', () => {
  const postgres = usePostgresDatabase();
  const dir = mkdtempSync(join(tmpdir(), 'switchyard-reconcile-compare-'));
  let source: SQLiteAdapter;
  let other: SQLiteAdapter;
  let job: TableJob;
  let reconcile: ReturnType<typeof createReconciler>['reconcile'];

  beforeAll(async () => {
    source = createSQLiteAdapter(join(dir, 'source.db'));
    source.database.pragma('journal_mode = WAL');
    await source.execute(ITEMS_SQLITE);
    seedSqliteItems(source, 50);
    await source.execute('DELETE FROM items WHERE id = 30');
    other = createSQLiteAdapter(join(dir, 'source.db'));
    await postgres.adapter.execute(ITEMS_POSTGRES);
    const table = (await source.introspect()).find((t) => t.name === 'items')!;
    job = await prepareTableJob(source, postgres.adapter, table, await postgres.adapter.introspect(), resolveCopyOptions({}));
    reconcile = createReconciler(source, postgres.adapter, job).reconcile;
  });
  afterAll(async () => {
    await other.close();
    await source.close();
    rmSync(dir, { recursive: true, force: true });
  });

  /** Copies the table afresh as one batch, runs `meanwhile`, reconciles; returns the rows rewritten. */
  const copyWith = async (meanwhile: () => Promise<unknown>, asText = true): Promise<number> => {
    await postgres.adapter.execute('TRUNCATE items');
    const batch = await job.readBatch(null, null);
    expect(Array.isArray(batch.payload)).toBe(!asText);
    await job.writer.write(batch.payload, undefined);
    await meanwhile();
    return reconcile(null, batch.lastKey!, batch);
  };
  const equal = () => assertTablesEqual(source, postgres.adapter, 'items');

  it('rewrites nothing when the source was not written to', async () => {
    expect(await copyWith(async () => {})).toBe(0);
    await equal();
  });

  // [what, column, id, minimally changed value]; the original value is itemRow(id).
  const minimal: [string, number, number, (original: unknown) => unknown][] = [
    ['text, one character more', 1, 3, (v) => `${String(v)}!`],
    ['real, the next double', 2, 5, (v) => nextUp(v as number)],
    ['boolean flipped', 3, 6, (v) => 1 - (v as number)],
    ['datetime, one millisecond later', 4, 10, (v) => `${String(v)}.001`],
    ['JSON, one character', 5, 12, (v) => String(v).replace('"b"', '"c"')],
    ['blob, one byte', 6, 13, (v) => Buffer.from([...(v as Buffer).subarray(0, 4), 11])],
    ['numeric, one hundredth', 7, 17, () => '17.26'],
    ['NULL to a value', 2, 22, () => 0],
    ['a value to NULL', 7, 33, () => null],
    // Past 9999: text SQLite cannot render as Postgres reads it, so those rows go the JavaScript way.
    ['datetime, into year 10000', 4, 14, () => '+010000-01-01T00:00:00.000Z'],
  ];
  const names = ['id', 'name', 'score', 'active', 'created_at', 'payload', 'data', 'amount'];
  for (const [what, column, id, change] of minimal) {
    it(`${what}: reconciled when written through the copy's connection, and back through another one`, async () => {
      const original = itemRow(id)[column];
      const sql = `UPDATE items SET ${names[column]} = ? WHERE id = ?`;
      expect(await copyWith(() => source.execute(sql, [change(original), id]))).toBe(1);
      await equal();
      // Another connection: only the file's change counter tells the copy's connection.
      // A page holding a year past 9999 is read as rows: that path is compared too.
      expect(await copyWith(() => other.execute(sql, [original, id]), !what.includes('10000'))).toBe(1);
      await equal();
    });
  }

  it('deletes a row gone from the span and inserts one added to it', async () => {
    expect(
      await copyWith(async () => {
        await other.execute('DELETE FROM items WHERE id = 40');
        await source.execute("INSERT INTO items (id, name, active, created_at) VALUES (30, 'back', 1, '2024-01-01 00:00:00')");
      }),
    ).toBe(2);
    await equal();
  });

  it('does not trust a batch read while a transaction was open on the source connection', async () => {
    let release!: () => void;
    const gate = new Promise<void>((resolve) => (release = resolve));
    let written!: () => void;
    const updated = new Promise<void>((resolve) => (written = resolve));
    const app = source.transaction(async (tx) => {
      await tx.execute("UPDATE items SET name = 'never committed' WHERE id = 2");
      written();
      await gate;
      throw new Error('rolled back');
    });
    app.catch(() => {});
    await updated;
    // The copy's raw read sees the open transaction's row; the rollback must be undone on the target.
    expect(
      await copyWith(async () => {
        release();
        await app.catch(() => {});
      }),
    ).toBe(1);
    const [row] = await postgres.adapter.query<{ name: string }>('SELECT name FROM items WHERE id = 2');
    expect(row!.name).not.toBe('never committed');
    await equal();
  });
});
