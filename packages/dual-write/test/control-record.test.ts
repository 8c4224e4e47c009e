import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { InvalidArgumentError, checkHealth, type DatabaseAdapter } from '@switchyard/core';
import { createSQLiteAdapter } from '@switchyard/sqlite';
import {
  SwitchPrimaryError,
  controlTable,
  createDualWriteAdapter,
  toPrometheus,
  type ControlStore,
  type DualWriteEvent,
  type DualWriteHealth,
} from '../src/index';

const dir = mkdtempSync(join(tmpdir(), 'sy-control-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

/** A store that throws while `down` is set, as an unreachable one does. */
function flaky(store: ControlStore): ControlStore & { down: boolean } {
  const wrap =
    <A extends unknown[], R>(fn: (...a: A) => Promise<R>) =>
    (...a: A) =>
      flakyStore.down ? Promise.reject(new Error('control store unreachable')) : fn(...a);
  const flakyStore = {
    down: false,
    kind: store.kind,
    read: wrap(() => store.read()),
    compareAndSet: wrap((e: Parameters<ControlStore['compareAndSet']>[0], n: Parameters<ControlStore['compareAndSet']>[1]) =>
      store.compareAndSet(e, n),
    ),
    heartbeat: wrap((b: Parameters<ControlStore['heartbeat']>[0]) => store.heartbeat(b)),
    instances: wrap(() => store.instances()),
  };
  return flakyStore;
}

/** Two instances' sides: each opens its own connections to the same two SQLite files. */
function pairOn(name: string): () => [DatabaseAdapter, DatabaseAdapter] {
  return () => [
    createSQLiteAdapter(join(dir, `${name}-left.db`), { name: 'left' }),
    createSQLiteAdapter(join(dir, `${name}-right.db`), { name: 'right' }),
  ];
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

describe('controlTable', () => {
  it("leaves the app's last_insert_rowid() and changes() on a shared better-sqlite3 connection", async () => {
    // A switch and the heartbeats write between two of the app's calls; the app must read its own write's values.
    const db = createSQLiteAdapter(':memory:');
    const store = controlTable(db);
    await db.execute('CREATE TABLE users (id INTEGER PRIMARY KEY, name TEXT)');
    const state = () => db.first('SELECT last_insert_rowid() AS rowid, changes() AS changed');
    const first = { epoch: 1, mode: 'primary-left', state: 'active', updatedAt: new Date().toISOString() } as const;
    await db.execute("INSERT INTO users (id, name) VALUES (41, 'a'), (42, 'b')");
    expect(await store.compareAndSet(null, first)).toBe(true);
    expect(await state()).toEqual({ rowid: 42, changed: 2 });
    await db.execute("UPDATE users SET name = 'c' WHERE id = 0");
    expect(await store.compareAndSet({ epoch: 1, state: 'active' }, { ...first, epoch: 2 })).toBe(true);
    expect(await state()).toEqual({ rowid: 42, changed: 0 });
    await db.execute("INSERT INTO users (name) VALUES ('d')");
    await store.heartbeat({ instanceId: 'a', epoch: 2, mode: 'primary-left', paused: false, lastSeen: new Date(1000) });
    expect(await store.compareAndSet({ epoch: 1, state: 'active' }, { ...first, epoch: 3 })).toBe(false);
    expect(await state()).toEqual({ rowid: 43, changed: 1 });
    await db.close();
  });

  it('creates the record once, compares and sets by epoch and state, and keeps one heartbeat per instance', async () => {
    const db = createSQLiteAdapter(':memory:');
    const store = controlTable(db);
    expect(await store.read()).toBeNull();
    const first = { epoch: 1, mode: 'primary-left', state: 'active', updatedAt: new Date().toISOString() } as const;
    expect(await store.compareAndSet(null, first)).toBe(true);
    expect(await store.compareAndSet(null, { ...first, mode: 'primary-right' })).toBe(false);
    expect(await store.compareAndSet({ epoch: 1, state: 'switching' }, { ...first, epoch: 2 })).toBe(false);
    expect(await store.compareAndSet({ epoch: 1, state: 'active' }, { ...first, epoch: 2, state: 'switching', by: 'a' })).toBe(true);
    expect(await store.read()).toMatchObject({ epoch: 2, state: 'switching', mode: 'primary-left', by: 'a' });
    await store.heartbeat({ instanceId: 'a', epoch: 1, mode: 'primary-left', paused: false, lastSeen: new Date(1000) });
    await store.heartbeat({ instanceId: 'a', epoch: 2, mode: 'primary-left', paused: true, lastSeen: new Date(2000) });
    expect(await store.instances()).toEqual([{ instanceId: 'a', epoch: 2, mode: 'primary-left', paused: true, lastSeen: new Date(2000) }]);
    expect(() => controlTable(db, { table: 'control' })).toThrow(InvalidArgumentError);
    await db.close();
  });

  it('refuses two sides of one name, since the record could not say which is primary', () => {
    expect(() =>
      createDualWriteAdapter(createSQLiteAdapter(':memory:'), createSQLiteAdapter(':memory:'), {
        control: controlTable(createSQLiteAdapter(':memory:')),
      }),
    ).toThrow(/give one a different `name`/);
  });
});

describe('an instance that cannot reach the control store', () => {
  it('keeps its last mode and says so (metric and event), then follows the record once it answers', { timeout: 20_000 }, async () => {
    const open = pairOn('unreachable');
    const [l1, r1] = open();
    await l1.execute('CREATE TABLE t (id INTEGER PRIMARY KEY, v TEXT)');
    await r1.execute('CREATE TABLE t (id INTEGER PRIMARY KEY, v TEXT)');
    const control = { refreshMs: 50, pauseTimeoutMs: 2000 };
    const a = createDualWriteAdapter(l1, r1, { control: { ...control, store: controlTable(r1), instanceId: 'a' } });
    const [l2, r2] = open();
    const store = flaky(controlTable(r2));
    const events: DualWriteEvent[] = [];
    const b = createDualWriteAdapter(l2, r2, { control: { ...control, store, instanceId: 'b' }, onEvent: (e) => events.push(e) });
    await a.execute('INSERT INTO t (id, v) VALUES (1, ?)', ['a']);
    await b.execute('INSERT INTO t (id, v) VALUES (2, ?)', ['b']);
    expect(b.getMetadata().control).toMatchObject({ epoch: 1, mode: 'primary-left', reachable: true });

    store.down = true;
    await sleep(200);
    // b's heartbeat is now stale, so the switch does not wait for it.
    const switched = await a.switchPrimary();
    expect(switched).toMatchObject({ mode: 'primary-right', control: { epoch: 2, state: 'active' } });
    await b.execute('INSERT INTO t (id, v) VALUES (3, ?)', ['b']);
    expect(b.getMetadata()).toMatchObject({ mode: 'primary-left', control: { epoch: 1, reachable: false } });
    expect(b.getMetrics().control!.unreachableRefreshes).toBeGreaterThan(0);
    expect(toPrometheus(b.getMetrics())).toContain('switchyard_control_reachable 0');
    expect(events.find((e) => e.type === 'control')).toMatchObject({ change: 'unreachable', epoch: 1, mode: 'primary-left' });
    const health = await checkHealth<DualWriteHealth>(b);
    expect(health).toMatchObject({ ok: false, mode: 'primary-left', epoch: 1, fleet: { error: 'control store unreachable' } });

    store.down = false;
    await sleep(300);
    expect(b.getMetadata()).toMatchObject({ mode: 'primary-right', control: { epoch: 2, reachable: true } });
    expect(events.filter((e) => e.type === 'control').map((e) => (e as { change: string }).change)).toEqual(['unreachable', 'reachable']);
    const fleet = await a.fleetStatus();
    expect(fleet).toMatchObject({ epoch: 2, mode: 'primary-right', allOnCurrentEpoch: true });
    expect(fleet.instances.map((i) => i.instanceId)).toEqual(['a', 'b']);
    await Promise.all([a.close(), b.close()]);
  });
});

describe('a switch some live instance does not answer', () => {
  it(
    'is called off: the old mode stays under a new epoch, the holding instance resumes, and the caller gets a TIMEOUT',
    { timeout: 20_000 },
    async () => {
      const open = pairOn('aborted');
      const [l1, r1] = open();
      const [l2, r2] = open();
      const control = { refreshMs: 200, pauseTimeoutMs: 300 };
      const events: DualWriteEvent[] = [];
      const a = createDualWriteAdapter(l1, r1, {
        control: { ...control, store: controlTable(r1), instanceId: 'a' },
        onEvent: (e) => events.push(e),
      });
      const b = createDualWriteAdapter(l2, r2, {
        control: { ...control, store: controlTable(r2), instanceId: 'b' },
        onEvent: (e) => events.push(e),
      });
      await a.execute('CREATE TABLE IF NOT EXISTS t (id INTEGER PRIMARY KEY)');
      await b.getMetadata();
      await b.fleetStatus();
      // A live instance that never holds its writes: its heartbeat is fresh and stays on epoch 1.
      await controlTable(r1).heartbeat({ instanceId: 'stuck', epoch: 1, mode: 'primary-left', paused: false, lastSeen: new Date() });
      const refused = await a.switchPrimary().catch((e: unknown) => e);
      expect(refused).toBeInstanceOf(SwitchPrimaryError);
      expect(refused).toMatchObject({ code: 'TIMEOUT', reason: 'fleet-timeout', message: expect.stringContaining('stuck') });
      expect(await controlTable(r1).read()).toMatchObject({ epoch: 3, state: 'active', mode: 'primary-left' });
      expect(a.getMetadata()).toMatchObject({ mode: 'primary-left', control: { epoch: 3 } });
      expect(events).toContainEqual(expect.objectContaining({ type: 'control', change: 'switch-aborted', epoch: 3, mode: 'primary-left' }));
      await sleep(500);
      await b.execute('INSERT INTO t (id) VALUES (1)');
      expect(b.getMetadata()).toMatchObject({ mode: 'primary-left', control: { epoch: 3, state: 'active' } });
      expect(b.getMetrics().control!.pauses).toBe(1);
      await Promise.all([a.close(), b.close()]);
    },
  );
});

describe('checkHealth', () => {
  it('answers with latency and version for one adapter, and never throws', async () => {
    const db = createSQLiteAdapter(':memory:');
    const ok = await checkHealth(db);
    expect(ok).toMatchObject({ ok: true, name: 'sqlite', dialect: 'sqlite', error: null });
    expect(ok.serverVersion).toMatch(/^3\.\d+/);
    await db.close();
    const failed = await checkHealth(db);
    expect(failed).toMatchObject({ ok: false, serverVersion: null, error: { code: 'ADAPTER_CLOSED' } });
  });

  it('reports both sides, mode, epoch, journal and circuit for a dual-write adapter', async () => {
    const [left, right] = pairOn('health')();
    const adapter = createDualWriteAdapter(left, right, { control: { store: controlTable(left), instanceId: 'h', refreshMs: 100 } });
    const health = await checkHealth<DualWriteHealth>(adapter);
    expect(health).toMatchObject({
      ok: true,
      name: 'left',
      sides: { primary: { name: 'left', ok: true }, secondary: { name: 'right', ok: true } },
      mode: 'primary-left',
      epoch: 1,
      journalDepth: 0,
      journalOldestAgeMs: 0,
      secondaryCircuit: 'closed',
      control: { instanceId: 'h', reachable: true, refreshMs: 100 },
      fleet: { epoch: 1, allOnCurrentEpoch: true },
    });
    const text = toPrometheus(adapter.getMetrics());
    expect(text).toContain('switchyard_control_epoch 1');
    expect(text).toMatch(/switchyard_control_refresh_age_seconds \d/);
    await adapter.close();
  });
});
