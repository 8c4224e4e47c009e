import { describe, expect, it } from 'vitest';
import { InvalidArgumentError, UnsupportedError, type DatabaseAdapter } from '@switchyard/core';
import type { DualWriteEvent } from './index';
import { sqlitePair as pair, rowsOf } from '../test/sqlite-pair';

describe('dual-write on SQLite -> SQLite', () => {
  it('resolves mode against adapter names and rejects a mode naming neither', () => {
    const { adapter } = pair({ mode: 'primary-right' });
    expect(adapter.getMetadata()).toMatchObject({ mode: 'primary-right', primary: 'right', secondary: 'left' });
    expect(adapter.name).toBe('right');
    // Writes reach two engines: no single driver stands for both, so callers take their portable paths.
    expect((adapter as DatabaseAdapter).native).toBeUndefined();
    expect(() => pair({ mode: 'primary-postgres' })).toThrow(InvalidArgumentError);
    expect(() => pair({ mode: 'primary-postgres' })).toThrow(/'primary-left' or 'primary-right'/);
    expect(() => pair({ readRouting: { secondaryPercent: 120 } })).toThrow(InvalidArgumentError);
    expect(() => pair({ shadowReads: { sampleRate: 5 } })).toThrow(/0 to 1/);
  });

  it('sends writes, schema statements and write queries to both, reads to the primary', async () => {
    const { a, b, adapter } = pair();
    await adapter.execute('CREATE TABLE t (id INTEGER PRIMARY KEY, name TEXT)');
    await adapter.execute('INSERT INTO t (id, name) VALUES (?, ?)', [1, 'one']);
    const returned = await adapter.query('INSERT INTO t (id, name) VALUES (?, ?) RETURNING id', [2, 'two']);
    expect(returned).toEqual([{ id: 2 }]);
    await adapter.prepare('UPDATE t SET name = ? WHERE id = ?').bind('uno', 1).run();
    await adapter.prepare('INSERT INTO t (id, name) VALUES (?, ?) RETURNING *').bind(3, 'three').all();
    expect(await rowsOf(a)).toEqual(await rowsOf(b));
    expect(await rowsOf(b)).toEqual([
      { id: 1, name: 'uno' },
      { id: 2, name: 'two' },
      { id: 3, name: 'three' },
    ]);
    expect(await adapter.prepare('SELECT name FROM t WHERE id = ?').bind(2).first('name')).toBe('two');
    const metrics = adapter.getMetrics();
    expect(metrics).toMatchObject({ totalWrites: 5, successfulDualWrites: 5, secondaryFailures: 0, reads: { primary: 1, secondary: 0 } });
    expect(metrics.averagePrimaryLatency).toBeGreaterThan(0);
    expect(metrics.primaryLatency.p99).toBeGreaterThanOrEqual(metrics.primaryLatency.p50);
    adapter.resetMetrics();
    expect(adapter.getMetrics().totalWrites).toBe(0);
    await adapter.close();
  });

  it('throws a primary failure and sends nothing to the secondary', async () => {
    const { a, b, adapter } = pair();
    await adapter.execute('CREATE TABLE t (id INTEGER PRIMARY KEY)');
    await a.execute('INSERT INTO t (id) VALUES (1)');
    await expect(adapter.execute('INSERT INTO t (id) VALUES (1)')).rejects.toMatchObject({ code: 'CONSTRAINT_VIOLATION' });
    expect(await rowsOf(b)).toEqual([]);
    expect(adapter.getMetrics().totalWrites).toBe(1);
  });

  it('transaction() replays committed writes on the secondary and nothing of a rollback', async () => {
    const { a, b, adapter } = pair();
    await adapter.execute('CREATE TABLE t (id INTEGER PRIMARY KEY, name TEXT)');
    const out = await adapter.transaction(async (tx) => {
      await tx.execute('INSERT INTO t (id, name) VALUES (?, ?)', [1, 'a']);
      await tx.query('INSERT INTO t (id, name) VALUES (?, ?) RETURNING id', [2, 'b']);
      await tx.db
        .insertInto('t' as never)
        .values({ id: 3, name: 'c' } as never)
        .execute();
      expect(await b.query('SELECT * FROM t')).toEqual([]);
      await tx.transaction(async (inner) => {
        await inner.execute('INSERT INTO t (id, name) VALUES (?, ?)', [4, 'd']);
      });
      await tx
        .transaction(async (inner) => {
          await inner.execute('INSERT INTO t (id, name) VALUES (?, ?)', [5, 'rolled back']);
          throw new Error('inner');
        })
        .catch(() => {});
      return (await tx.query('SELECT count(*) AS n FROM t'))[0];
    });
    expect(out).toEqual({ n: 4 });
    await expect(
      adapter.transaction(async (tx) => {
        await tx.execute('INSERT INTO t (id, name) VALUES (?, ?)', [9, 'never']);
        throw new Error('abort');
      }),
    ).rejects.toThrow('abort');
    expect((await rowsOf(a)).map((r) => r.id)).toEqual([1, 2, 3, 4]);
    expect(await rowsOf(b)).toEqual(await rowsOf(a));
    expect(adapter.getMetrics().totalWrites).toBe(2);
  });

  it('switchPrimary() swaps the roles, and again rolls back', async () => {
    const { adapter, events } = pair();
    const before = adapter.getMetadata();
    expect(before.lastSwitchAt).toBeNull();
    const after = await adapter.switchPrimary();
    expect(after).toMatchObject({ mode: 'primary-right', primary: 'right', secondary: 'left', switchCount: 1 });
    expect(after.lastSwitchAt).toBeInstanceOf(Date);
    expect(adapter.getMetrics().mode).toBe('primary-right');
    expect((await adapter.switchPrimary()).mode).toBe('primary-left');
    expect(events.filter((e) => e.type === 'switch')).toHaveLength(2);
  });

  it('routes a share of reads to the secondary and falls back to the primary on failure', async () => {
    const { a, b, adapter, events } = pair({ readRouting: { secondaryPercent: 100 } });
    await adapter.execute('CREATE TABLE t (id INTEGER PRIMARY KEY)');
    await b.execute('INSERT INTO t (id) VALUES (7)');
    expect(await adapter.query('SELECT id FROM t')).toEqual([{ id: 7 }]);
    await b.execute('DROP TABLE t');
    await a.execute('INSERT INTO t (id) VALUES (1)');
    expect(await adapter.query('SELECT id FROM t')).toEqual([{ id: 1 }]);
    expect(adapter.getMetrics()).toMatchObject({ reads: { primary: 1, secondary: 1 }, readFallbacks: 1 });
    expect(events.some((e) => e.type === 'read-fallback')).toBe(true);
  });

  it('shadow reads compare both sides and return the primary rows', async () => {
    const { b, adapter, events } = pair({ shadowReads: { sampleRate: 1 } });
    await adapter.execute('CREATE TABLE t (id INTEGER PRIMARY KEY, flag BOOLEAN)');
    await adapter.execute('INSERT INTO t (id, flag) VALUES (?, ?), (?, ?)', [1, true, 2, false]);
    expect(await adapter.query('SELECT * FROM t')).toHaveLength(2);
    expect(adapter.getMetrics()).toMatchObject({ shadowReads: 1, shadowReadMismatches: 0 });
    await b.execute('UPDATE t SET flag = 1 WHERE id = 2');
    expect(await adapter.query('SELECT * FROM t ORDER BY id')).toEqual([
      { id: 1, flag: 1 },
      { id: 2, flag: 0 },
    ]);
    expect(adapter.getMetrics()).toMatchObject({ shadowReads: 2, shadowReadMismatches: 1 });
    expect(events.find((e) => e.type === 'shadow-mismatch')).toMatchObject({
      secondary: [
        { id: 1, flag: 1 },
        { id: 2, flag: 1 },
      ],
    });
  });

  it('verifyWrites catches a trigger that alters a value on the secondary, without failing the write', async () => {
    const { b, adapter } = pair({ verifyWrites: true });
    const seen: DualWriteEvent[] = [];
    const off = adapter.on('verification-failed', (e) => seen.push(e));
    await adapter.execute('CREATE TABLE t (id INTEGER PRIMARY KEY, price INTEGER, active BOOLEAN)');
    await adapter.execute('INSERT INTO t (id, price, active) VALUES (?, ?, ?) RETURNING *', [1, 10, true]);
    expect(adapter.getMetrics().verificationFailures).toBe(0);
    await b.execute('CREATE TRIGGER bump AFTER INSERT ON t BEGIN UPDATE t SET price = NEW.price + 1 WHERE id = NEW.id; END');
    const rows = await adapter.query('INSERT INTO t (id, price, active) VALUES (?, ?, ?) RETURNING price', [2, 20, true]);
    expect(rows).toEqual([{ price: 20 }]);
    // The secondary's row differs from the primary's: counted, reported, and settled from the primary.
    expect(adapter.getMetrics()).toMatchObject({ verificationFailures: 1, divergencesSettled: 1 });
    expect(seen[0]).toMatchObject({ type: 'verification-failed', reason: expect.stringMatching(/column price: "20" != "21"/) });
    expect(await rowsOf(b)).toEqual(await rowsOf(adapter.primary));
    off();
  });

  it('refuses transaction-control statements sent as SQL', async () => {
    const { adapter } = pair();
    await expect(adapter.execute('BEGIN')).rejects.toBeInstanceOf(UnsupportedError);
    await expect(adapter.execute('COMMIT')).rejects.toThrow(/transaction\(fn\)/);
  });

  it('skips latency timing with collectMetrics: false, keeps counters, and survives a throwing listener', async () => {
    const { adapter } = pair({ collectMetrics: false });
    adapter.on('secondary-failure', () => {
      throw new Error('listener bug');
    });
    await adapter.execute('CREATE TABLE t (id INTEGER PRIMARY KEY)');
    await adapter.execute('INSERT INTO t (id) VALUES (1)');
    expect(adapter.getMetrics()).toMatchObject({
      totalWrites: 2,
      successfulDualWrites: 2,
      averagePrimaryLatency: 0,
      primaryLatency: { p50: 0, p95: 0, p99: 0 },
    });
    expect(() => pair({ secondaryWrites: 'async' })).toThrow(/secondaryWrites: 'async' needs a mirror/);
  });

  it('uses a custom shadow compare when given one', async () => {
    const seen: number[] = [];
    const { adapter } = pair({
      shadowReads: {
        sampleRate: 1,
        compare: (primary, secondary) => {
          seen.push(primary.length, secondary.length);
          return false;
        },
      },
    });
    await adapter.execute('CREATE TABLE t (id INTEGER PRIMARY KEY)');
    await adapter.execute('INSERT INTO t (id) VALUES (1)');
    await adapter.query('SELECT * FROM t');
    expect(seen).toEqual([1, 1]);
    expect(adapter.getMetrics().shadowReadMismatches).toBe(1);
  });

  it('applies writes issued after switchPrimary() to the new primary first, and the in-flight one to both', async () => {
    const { a, b, adapter } = pair();
    await adapter.execute('CREATE TABLE t (id INTEGER PRIMARY KEY)');
    await b.execute("CREATE TRIGGER no_two BEFORE INSERT ON t WHEN NEW.id = 2 BEGIN SELECT RAISE(ABORT, 'right refuses 2'); END");
    const first = adapter.execute('INSERT INTO t (id) VALUES (1)');
    const switched = adapter.switchPrimary();
    // Now on the new primary (right) first: its refusal is a primary failure, left gets nothing.
    const second = adapter.execute('INSERT INTO t (id) VALUES (2)').catch((e: unknown) => e);
    await first;
    expect((await switched).primary).toBe('right');
    expect(await second).toMatchObject({ message: expect.stringMatching(/right refuses 2/) });
    expect(await rowsOf(a)).toEqual([{ id: 1 }]);
    expect(await rowsOf(b)).toEqual([{ id: 1 }]);
  });
});
