import type { DatabaseAdapter } from '@switchyard/core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { quickValidate, repair, validateDatabases, type TableReport, type ValidationReport } from './index';
import { ENGINE_PAIRS, openEngine, type TestEngine } from '../test/engine-pairs';
import { itemsDdl, makeItems, writeItems, type ItemRow } from '../test/seed-data';

const ROWS = 200;

/** The differences seeded into the target, and the columns each changed row differs in. */
function seedTarget(rows: ItemRow[], exact: boolean): { rows: ItemRow[]; changed: Record<number, string[]> } {
  const out = rows.filter((r) => r.id !== 3 && r.id !== 4).map((r) => ({ ...r }));
  const byId = new Map(out.map((r) => [r.id, r]));
  byId.get(10)!.name = 'changed';
  byId.get(11)!.payload = { ...byId.get(11)!.payload, size: 0 };
  byId.get(12)!.createdAt = new Date(byId.get(12)!.createdAt.getTime() + 1000);
  byId.get(14)!.note = '';
  byId.get(15)!.name += ' ';
  const changed: Record<number, string[]> = { 10: ['name'], 11: ['payload'], 12: ['created_at'], 14: ['note'], 15: ['name'] };
  if (exact) {
    // The last digit of an int64 beyond 2^53: lost by any engine that rounds.
    byId.get(13)!.big += 1n;
    changed[13] = ['big'];
  }
  const extra = makeItems(ROWS + 2, exact).slice(ROWS);
  return { rows: [...out, ...extra], changed };
}

const COMPOSITE_KEYS = ['a', 'B', 'Z', 'b', 'é', '😀', '\uFFFD', '中', 'a b', ''];

async function createPairs(adapter: DatabaseAdapter, seeded: boolean): Promise<void> {
  await adapter.execute('CREATE TABLE pairs (k TEXT NOT NULL, n INTEGER NOT NULL, v TEXT, PRIMARY KEY (k, n))');
  const rows = COMPOSITE_KEYS.flatMap((k) => [1, 2, 3].map((n) => [k, n, `${k}:${n}`] as unknown[]));
  const kept = seeded ? rows.filter(([k, n]) => !(k === '😀' && n === 2)) : rows;
  if (seeded) kept.find(([k, n]) => k === '\uFFFD' && n === 3)![2] = 'changed';
  await adapter.execute(`INSERT INTO pairs (k, n, v) VALUES ${kept.map(() => '(?, ?, ?)').join(', ')}`, kept.flat());
}

function table(report: ValidationReport, name: string): TableReport {
  const found = report.tables.find((t) => t.table === name);
  if (!found) throw new Error(`no report for ${name}`);
  return found;
}

function expectSeeded(report: TableReport, changed: Record<number, string[]>): void {
  expect(report.status).toBe('mismatch');
  expect(report.missingInTarget.map((k) => Number(k.id))).toEqual([3, 4]);
  expect(report.extraInTarget.map((k) => Number(k.id))).toEqual([ROWS + 1, ROWS + 2]);
  const diffs = Object.fromEntries(report.differentRows.map((d) => [Number(d.key.id), d.columns.map((c) => c.column)]));
  expect(diffs).toEqual(changed);
  expect(report.missingInTargetCount).toBe(2);
  expect(report.extraInTargetCount).toBe(2);
  expect(report.differentRowsCount).toBe(Object.keys(changed).length);
}

describe.each(ENGINE_PAIRS)('%s -> %s', (sourceDialect, targetDialect) => {
  let source: TestEngine;
  let target: TestEngine;
  let exact: boolean;
  let changed: Record<number, string[]>;

  beforeAll(async () => {
    [source, target] = await Promise.all([openEngine(sourceDialect), openEngine(targetDialect)]);
    exact = source.adapter.capabilities.exactInt64 && target.adapter.capabilities.exactInt64;
    const rows = makeItems(ROWS, exact);
    const seeded = seedTarget(rows, exact);
    changed = seeded.changed;
    for (const [engine, data] of [
      [source, rows],
      [target, seeded.rows],
    ] as const) {
      const a = engine.adapter;
      await a.execute(itemsDdl(a.dialect, 'items'));
      await a.execute(itemsDdl(a.dialect, 'same_items'));
      await a.execute(itemsDdl(a.dialect, 'repair_items'));
      await a.execute('CREATE TABLE logs (msg TEXT, level TEXT)');
      await a.execute("INSERT INTO logs (msg, level) VALUES ('started', 'info'), ('stopped', 'info')");
      await writeItems(a, data, 'items');
      await writeItems(a, data, 'repair_items');
      await writeItems(a, rows, 'same_items');
      await createPairs(a, engine === target);
    }
  });

  afterAll(async () => {
    await Promise.all([source?.dispose(), target?.dispose()]);
  });

  it('finds exactly the seeded differences when comparing every row', async () => {
    const report = await validateDatabases(source.adapter, target.adapter, { validateAllRows: true, tables: ['items', 'pairs'] });
    const items = table(report, 'items');
    expectSeeded(items, changed);
    const sameFamily =
      (sourceDialect === 'postgres' && targetDialect === 'postgres') || (sourceDialect === 'sqlite' && targetDialect === 'sqlite');
    expect(items.method).toBe(sameFamily ? 'checksum' : 'merge');
    expect(items.sourceCount).toBe(ROWS);
    expect(items.targetCount).toBe(ROWS);
    expect(items.rowsCompared).toBe(ROWS - 2);

    const pairs = table(report, 'pairs');
    expect(pairs.method).toBe('merge');
    expect(pairs.missingInTarget).toEqual([{ k: '😀', n: 2 }]);
    expect(pairs.extraInTarget).toEqual([]);
    expect(pairs.differentRows.map((d) => [d.key, d.columns.map((c) => [c.column, c.source, c.target])])).toEqual([
      [{ k: '\uFFFD', n: 3 }, [['v', '\uFFFD:3', 'changed']]],
    ]);
    expect(report.ok).toBe(false);
    expect(report.summary).toContain('Validation Summary');
  });

  it('finds the same differences by sampling when the sample covers the table', async () => {
    const report = await validateDatabases(source.adapter, target.adapter, { sampleSize: 10_000, tables: ['items'] });
    const items = table(report, 'items');
    expect(items.method).toBe('sample');
    expectSeeded(items, changed);
  });

  it("reports equal data written through each engine's natural types as ok, in both modes", async () => {
    for (const validateAllRows of [true, false]) {
      const report = await validateDatabases(source.adapter, target.adapter, { validateAllRows, tables: ['same_items'] });
      const same = table(report, 'same_items');
      expect(same.differentRows).toEqual([]);
      expect(same.status).toBe('ok');
      expect(same.rowsCompared).toBe(validateAllRows ? ROWS : 100);
      expect(report.ok).toBe(true);
    }
  });

  it('reports a table without a primary key as an error naming keyColumns, and validates the rest', async () => {
    const report = await validateDatabases(source.adapter, target.adapter, { validateAllRows: true, tables: ['logs', 'same_items'] });
    const logs = table(report, 'logs');
    expect(logs.status).toBe('error');
    expect(logs.error).toContain('keyColumns');
    expect(table(report, 'same_items').status).toBe('ok');

    const keyed = await validateDatabases(source.adapter, target.adapter, {
      validateAllRows: true,
      tables: ['logs'],
      keyColumns: { logs: ['msg'] },
    });
    expect(table(keyed, 'logs').status).toBe('ok');
    expect(table(keyed, 'logs').rowsCompared).toBe(2);
  });

  it('counts rows per table with quickValidate', async () => {
    const report = await quickValidate(source.adapter, target.adapter, { tables: ['items', 'same_items', 'pairs'] });
    expect(report.tables.map((t) => [t.table, t.method, t.status, t.sourceCount, t.targetCount])).toEqual([
      ['items', 'count', 'ok', ROWS, ROWS],
      ['same_items', 'count', 'ok', ROWS, ROWS],
      ['pairs', 'count', 'mismatch', 30, 29],
    ]);
  });

  it('repairs the target so that validating again is ok', async () => {
    const before = await validateDatabases(source.adapter, target.adapter, { validateAllRows: true, tables: ['repair_items'] });
    expect(table(before, 'repair_items').status).toBe('mismatch');

    const dry = await repair(before, source.adapter, target.adapter, { dryRun: true, deleteExtra: true });
    expect(dry.dryRun).toBe(true);
    expect(dry.upserted).toBe(2 + Object.keys(changed).length);
    expect(dry.deleted).toBe(2);
    const still = await validateDatabases(source.adapter, target.adapter, { validateAllRows: true, tables: ['repair_items'] });
    expect(table(still, 'repair_items').status).toBe('mismatch');

    const done = await repair(before, source.adapter, target.adapter, { deleteExtra: true });
    expect(done.tables[0]).toMatchObject({ table: 'repair_items', upserted: 2 + Object.keys(changed).length, deleted: 2, extraKept: 0 });
    const after = await validateDatabases(source.adapter, target.adapter, { validateAllRows: true, tables: ['repair_items'] });
    expect(table(after, 'repair_items')).toMatchObject({ status: 'ok', rowsCompared: ROWS, sourceCount: ROWS, targetCount: ROWS });
  });
});
