import type { DatabaseAdapter } from '@switchyard/core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { quickValidate, repair, validateDatabases, ValidationError, type ValidationProgress, type ValidationReport } from './index';
import { openEngine, type TestEngine } from '../test/engine-pairs';
import { itemsDdl, makeItems, writeItems } from '../test/seed-data';

const ROWS = 120;

/** The same adapter, with reads of one table failing as a broken table or lost connection would. */
function failingOn(adapter: DatabaseAdapter, table: string): DatabaseAdapter {
  return new Proxy(adapter, {
    get(target, prop) {
      if (prop === 'query' || prop === 'first') {
        return async (sql: string, params?: unknown[]) => {
          if (sql.includes(`FROM "${table}"`)) throw new Error(`simulated read failure on ${table}`);
          return (target[prop] as (s: string, p?: unknown[]) => Promise<unknown>).call(target, sql, params);
        };
      }
      // Private fields need the real adapter as `this`.
      const value: unknown = Reflect.get(target, prop, target);
      return typeof value === 'function' ? value.bind(target) : value;
    },
  });
}

const byTable = (report: ValidationReport, name: string) => report.tables.find((t) => t.table === name)!;

describe('validateDatabases options (sqlite -> postgres)', () => {
  let source: TestEngine;
  let target: TestEngine;

  beforeAll(async () => {
    [source, target] = await Promise.all([openEngine('sqlite'), openEngine('postgres')]);
    const rows = makeItems(ROWS, true);
    for (const engine of [source, target]) {
      const a = engine.adapter;
      for (const name of ['items', 'other']) {
        await a.execute(itemsDdl(a.dialect, name));
        await writeItems(a, rows, name);
      }
    }
    // Differences a run can be told to overlook: a changed note, timestamps 400 ms apart.
    await target.adapter.execute("UPDATE items SET note = 'edited' WHERE id <= 30");
    await source.adapter.execute("UPDATE other SET created_at = '2024-01-01 10:00:00' WHERE id = 1");
    await target.adapter.execute("UPDATE other SET created_at = '2024-01-01T10:00:00.400Z' WHERE id = 1");
    // Schema differences.
    await source.adapter.execute('CREATE TABLE only_source (id INTEGER PRIMARY KEY)');
    await source.adapter.execute('CREATE TABLE shapes (id INTEGER PRIMARY KEY, a TEXT, b BLOB, gone TEXT)');
    await target.adapter.execute('CREATE TABLE shapes (id bigint PRIMARY KEY, a text, b boolean, added text)');
  });

  afterAll(async () => {
    await Promise.all([source?.dispose(), target?.dispose()]);
  });

  it('caps collected differences at maxDifferences and keeps counts exact', async () => {
    const report = await validateDatabases(source.adapter, target.adapter, { validateAllRows: true, tables: ['items'], maxDifferences: 5 });
    const items = byTable(report, 'items');
    expect(items.differentRows).toHaveLength(5);
    expect(items.differentRowsCount).toBe(30);
    expect(items.truncated).toBe(true);
    expect(items.differentRows[0]!.columns[0]).toMatchObject({
      column: 'note',
      source: 'note 1',
      target: 'edited',
      sourceNormalized: '"note 1"',
      targetNormalized: '"edited"',
    });
  });

  it('ignores columns, globally or per table', async () => {
    for (const ignoreColumns of [['note'], { items: ['note'] }]) {
      const report = await validateDatabases(source.adapter, target.adapter, { validateAllRows: true, tables: ['items'], ignoreColumns });
      expect(byTable(report, 'items').status).toBe('ok');
    }
  });

  it('compares timestamps at the microsecond by default, by row and by checksum: one microsecond apart differs', async () => {
    for (const engine of [source, target]) {
      const pg = engine.adapter.dialect === 'postgres';
      await engine.adapter.execute(
        `CREATE TABLE micro (id ${pg ? 'bigint' : 'INTEGER'} PRIMARY KEY, at ${pg ? 'timestamptz' : 'DATETIME'})`,
      );
      await engine.adapter.execute("INSERT INTO micro VALUES (1, '2024-01-01T10:00:00.897606Z'), (2, '2024-01-01T10:00:01.5Z')");
    }
    expect((await validateDatabases(source.adapter, target.adapter, { validateAllRows: true, tables: ['micro'] })).ok).toBe(true);
    // Within the millisecond: reported equal at 'ms', which is why it is not the default.
    await source.adapter.execute("UPDATE micro SET at = '2024-01-01T10:00:00.897607Z' WHERE id = 1");
    for (const validateAllRows of [true, false]) {
      const report = await validateDatabases(source.adapter, target.adapter, { validateAllRows, tables: ['micro'] });
      expect(byTable(report, 'micro').status).toBe('mismatch');
    }
    const row = byTable(await validateDatabases(source.adapter, target.adapter, { validateAllRows: true, tables: ['micro'] }), 'micro');
    expect(row.differentRows[0]!.columns[0]).toMatchObject({ column: 'at', sourceNormalized: '"2024-01-01T10:00:00.897607Z"' });
    const ms = await validateDatabases(source.adapter, target.adapter, {
      validateAllRows: true,
      tables: ['micro'],
      timestampPrecision: 'ms',
    });
    expect(byTable(ms, 'micro').status).toBe('ok');
    for (const engine of [source, target]) await engine.adapter.execute('DROP TABLE micro');
  });

  it('compares timestamps at the requested precision', async () => {
    const ms = await validateDatabases(source.adapter, target.adapter, { validateAllRows: true, tables: ['other'] });
    expect(byTable(ms, 'other').differentRows.map((d) => d.columns.map((c) => c.column))).toEqual([['created_at']]);
    const s = await validateDatabases(source.adapter, target.adapter, {
      validateAllRows: true,
      tables: ['other'],
      timestampPrecision: 's',
    });
    expect(byTable(s, 'other').status).toBe('ok');
  });

  it('reports schema differences: missing tables, missing columns, incompatible types', async () => {
    const report = await validateDatabases(source.adapter, target.adapter, { tables: ['only_source', 'shapes'] });
    expect(byTable(report, 'only_source')).toMatchObject({ status: 'mismatch', method: 'count', sourceCount: 0, targetCount: null });
    expect(byTable(report, 'only_source').schemaDifferences.map((d) => d.kind)).toEqual(['table-missing-in-target']);
    const shapes = byTable(report, 'shapes');
    expect(shapes.status).toBe('mismatch');
    expect(shapes.schemaDifferences.map((d) => [d.kind, d.column])).toEqual([
      ['incompatible-type', 'b'],
      ['column-missing-in-target', 'gone'],
      ['column-missing-in-source', 'added'],
    ]);
  });

  it('reports a table that fails to read with continueOnError, and throws a ValidationError without it', async () => {
    const broken = failingOn(target.adapter, 'other');
    const report = await validateDatabases(source.adapter, broken, {
      validateAllRows: true,
      tables: ['items', 'other'],
      continueOnError: true,
    });
    expect(byTable(report, 'other')).toMatchObject({ status: 'error', error: expect.stringContaining('simulated read failure') });
    expect(byTable(report, 'items').status).toBe('mismatch');
    expect(report.summary).toContain('simulated read failure');

    const error = await validateDatabases(source.adapter, broken, { tables: ['other'] }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ValidationError);
    expect((error as ValidationError).table).toBe('other');
    expect((error as Error).message).toContain('continueOnError');
  });

  it('selects tables with excludeTables, runs them concurrently and reports progress', async () => {
    const events: ValidationProgress[] = [];
    const report = await validateDatabases(source.adapter, target.adapter, {
      validateAllRows: true,
      excludeTables: ['only_source', 'shapes'],
      concurrency: 2,
      pageSize: 50,
      onProgress: (p) => events.push(p),
    });
    expect(report.tables.map((t) => [t.table, t.status])).toEqual([
      ['items', 'mismatch'],
      ['other', 'mismatch'],
      ['only_source', 'skipped'],
      ['shapes', 'skipped'],
    ]);
    expect(report.summary).toMatch(/- shapes +skipped/);
    expect(
      events
        .filter((e) => e.phase === 'start')
        .map((e) => e.table)
        .sort(),
    ).toEqual(['items', 'other']);
    expect(events.filter((e) => e.phase === 'rows').length).toBeGreaterThanOrEqual(4);
    const last = events[events.length - 1]!;
    expect(last).toMatchObject({ phase: 'done', tablesDone: 2, tablesTotal: 2 });
  });

  it('rejects options that cannot work with a typed error', async () => {
    await expect(validateDatabases(source.adapter, target.adapter, { sampleSize: -1 })).rejects.toThrow(
      /sampleSize must be an integer >= 0/,
    );
    await expect(validateDatabases(source.adapter, target.adapter, { keyColumns: { items: [] } })).rejects.toThrow(/keyColumns.items/);
  });

  it('writes a summary block with totals and one line per table', async () => {
    const report = await validateDatabases(source.adapter, target.adapter, { validateAllRows: true, tables: ['items', 'other'] });
    expect(report.summary).toMatch(/Validation Summary/);
    expect(report.summary).toMatch(/Total tables: 2/);
    expect(report.summary).toMatch(/Source rows: 240/);
    expect(report.summary).toMatch(/✗ items +mismatch +merge +120 \/ 120 rows, 120 compared, 30 different/);
    expect(report.summary).toMatch(/Validation failed/);
    expect(report.totals).toMatchObject({ tables: 2, sourceRows: 240, targetRows: 240, differentRows: 31, mismatchedTables: 2 });
  });

  it('repairs a table keyed by keyColumns without a unique constraint (delete + insert)', async () => {
    await source.adapter.execute('CREATE TABLE notes (k TEXT, v INTEGER)');
    await target.adapter.execute('CREATE TABLE notes (k text, v bigint)');
    await source.adapter.execute("INSERT INTO notes (k, v) VALUES ('a', 1), ('b', 2), ('c', 3)");
    await target.adapter.execute("INSERT INTO notes (k, v) VALUES ('a', 9), ('c', 3), ('d', 4)");
    const options = { validateAllRows: true, tables: ['notes'], keyColumns: { notes: ['k'] } };
    const before = await validateDatabases(source.adapter, target.adapter, options);
    expect(byTable(before, 'notes')).toMatchObject({ missingInTarget: [{ k: 'b' }], extraInTarget: [{ k: 'd' }], differentRowsCount: 1 });
    const done = await repair(before, source.adapter, target.adapter);
    expect(done.tables[0]).toMatchObject({ upserted: 2, deleted: 0, extraKept: 1 });
    expect(done.tables[0]!.statements.map((s) => s.sql.split(' ')[0])).toEqual(['DELETE', 'INSERT']);
    const after = await validateDatabases(source.adapter, target.adapter, options);
    expect(byTable(after, 'notes')).toMatchObject({
      status: 'mismatch',
      missingInTargetCount: 0,
      differentRowsCount: 0,
      extraInTargetCount: 1,
    });
    await source.adapter.execute('DROP TABLE notes');
    await target.adapter.execute('DROP TABLE notes');
  });

  it('quickValidate reports tables on one side only and honours the tables option', async () => {
    const report = await quickValidate(source.adapter, target.adapter);
    expect(report.tables.map((t) => [t.table, t.status])).toEqual([
      ['items', 'ok'],
      ['only_source', 'mismatch'],
      ['other', 'ok'],
      ['shapes', 'ok'],
    ]);
    expect(report.ok).toBe(false);
    expect(report.summary).toContain('Total tables: 4');
  });
  it("leaves Switchyard's own bookkeeping tables out unless they are named", async () => {
    await target.adapter.execute('CREATE TABLE _switchyard_checkpoints (id INTEGER PRIMARY KEY)');
    const names = (r: ValidationReport) => r.tables.map((t) => t.table);
    expect(names(await quickValidate(source.adapter, target.adapter))).not.toContain('_switchyard_checkpoints');
    expect(names(await validateDatabases(source.adapter, target.adapter, { continueOnError: true }))).not.toContain(
      '_switchyard_checkpoints',
    );
    const named = await validateDatabases(source.adapter, target.adapter, { tables: ['_switchyard_checkpoints'] });
    expect(byTable(named, '_switchyard_checkpoints').status).toBe('mismatch');
  });
});
