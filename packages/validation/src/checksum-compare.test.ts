import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { validateDatabases } from './index';
import { openEngine, type TestEngine } from '../test/engine-pairs';
import { itemsDdl, makeItems, writeItems } from '../test/seed-data';

const ROWS = 6000;
const CHANGED = [17, 1999, 2000, 3001, 4500, 5999];

describe.each(['sqlite', 'postgres'] as const)('checksums of key ranges, %s -> %s', (dialect) => {
  let source: TestEngine;
  let target: TestEngine;

  beforeAll(async () => {
    [source, target] = await Promise.all([openEngine(dialect), openEngine(dialect)]);
    const rows = makeItems(ROWS, true);
    const extra = makeItems(ROWS + 1, true).slice(ROWS);
    const targetRows = rows
      .filter((r) => r.id !== 250 && r.id !== 4000)
      .map((r) => (CHANGED.includes(r.id) ? { ...r, name: r.name + '*' } : r));
    for (const [engine, data] of [
      [source, rows],
      [target, [...targetRows, ...extra]],
    ] as const) {
      await engine.adapter.execute(itemsDdl(engine.adapter.dialect));
      await writeItems(engine.adapter, data);
    }
  });

  afterAll(async () => {
    await Promise.all([source?.dispose(), target?.dispose()]);
  });

  it('narrows scattered differences down by bisection and finds exactly them', async () => {
    const report = await validateDatabases(source.adapter, target.adapter, { validateAllRows: true });
    const items = report.tables[0]!;
    expect(items.method).toBe('checksum');
    expect(items.missingInTarget.map((k) => k.id)).toEqual([250, 4000]);
    expect(items.extraInTarget.map((k) => k.id)).toEqual([ROWS + 1]);
    expect(items.differentRows.map((d) => d.key.id)).toEqual(CHANGED);
    expect(items.differentRows.every((d) => d.columns.length === 1 && d.columns[0]!.column === 'name')).toBe(true);
    expect(items).toMatchObject({ sourceCount: ROWS, targetCount: ROWS - 1, rowsCompared: ROWS - 2 });
  });

  it('finds the same with checksums turned off (streaming merge)', async () => {
    const report = await validateDatabases(source.adapter, target.adapter, { validateAllRows: true, checksums: false });
    const items = report.tables[0]!;
    expect(items.method).toBe('merge');
    expect(items.differentRows.map((d) => d.key.id)).toEqual(CHANGED);
    expect(items.missingInTargetCount + items.extraInTargetCount).toBe(3);
  });

  it('handles keys at both ends of the int64 range', async () => {
    const ids = [-9223372036854775808n, 0n, 9223372036854775807n];
    for (const engine of [source, target]) {
      const a = engine.adapter;
      await a.execute(`CREATE TABLE edges (id ${a.dialect === 'postgres' ? 'bigint' : 'INTEGER'} PRIMARY KEY, v TEXT)`);
      const v = engine === target ? 'changed' : 'max';
      await a.execute('INSERT INTO edges (id, v) VALUES (?, ?), (?, ?), (?, ?)', [ids[0], 'min', ids[1], 'zero', ids[2], v]);
    }
    const report = await validateDatabases(source.adapter, target.adapter, { validateAllRows: true, tables: ['edges'] });
    expect(report.tables[0]).toMatchObject({ method: 'checksum', rowsCompared: 3, differentRowsCount: 1 });
    expect(report.tables[0]!.differentRows[0]!.key).toEqual({ id: 9223372036854775807n });
  });

  it('reports identical tables as ok from one checksum per side', async () => {
    const report = await validateDatabases(source.adapter, source.adapter, { validateAllRows: true, tables: ['items'] });
    expect(report.tables[0]).toMatchObject({ status: 'ok', method: 'checksum', rowsCompared: ROWS });
  });
});
