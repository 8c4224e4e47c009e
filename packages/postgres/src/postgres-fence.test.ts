import { TimeoutError } from '@switchyard/core';
import { createTestDatabase, startFaultProxy, type FaultProxy } from '@switchyard/testkit';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createPostgresAdapter } from './postgres-create';

const database = await createTestDatabase();
let proxy: FaultProxy;
let proxiedUrl: string;

beforeAll(async () => {
  const target = new URL(database.url);
  proxy = await startFaultProxy({ target: { host: target.hostname, port: Number(target.port || 5432) } });
  proxiedUrl = proxy.url(database.url);
  const setup = createPostgresAdapter(database.url);
  await setup.execute('CREATE TABLE sy_fence (id int PRIMARY KEY)');
  await setup.close();
});
afterAll(async () => {
  await proxy?.close();
  await database.drop();
});

const direct = () => createPostgresAdapter(database.url, { max: 1 });

/** An INSERT sent on a connection whose flow is stuck: it times out, and its bytes wait in the network. */
async function strandInsert(id: number) {
  const adapter = createPostgresAdapter(proxiedUrl, { max: 2, queryTimeoutMs: 300 });
  await adapter.first('SELECT 1');
  const release = proxy.stallOpenConnections();
  const outcome = await adapter.execute('INSERT INTO sy_fence (id) VALUES (?)', [id]).catch((e: unknown) => e);
  expect(outcome).toBeInstanceOf(TimeoutError);
  return { adapter, release };
}

async function present(id: number): Promise<boolean> {
  const reader = direct();
  try {
    return (await reader.query('SELECT id FROM sy_fence WHERE id = ?', [id])).length === 1;
  } finally {
    await reader.close();
  }
}

describe('fenceAbandoned: a statement the adapter gave up on cannot run afterwards', () => {
  it('without a fence, the timed-out INSERT still runs once the stuck flow moves again', async () => {
    const { adapter, release } = await strandInsert(1);
    expect(await present(1)).toBe(false);
    release();
    await expect.poll(() => present(1), { timeout: 3_000 }).toBe(true);
    await adapter.close();
  });

  it('after fenceAbandoned() the timed-out INSERT never runs, and other sessions are untouched', async () => {
    const bystander = direct();
    await bystander.execute('SELECT 1');
    const { adapter, release } = await strandInsert(2);
    // New connections pass while the stranded one is stuck: the fence reaches the server.
    expect(await adapter.fenceAbandoned()).toBe(1);
    expect(await adapter.fenceAbandoned()).toBe(0);
    release();
    await new Promise((resolve) => setTimeout(resolve, 500));
    expect(await present(2)).toBe(false);
    expect(await bystander.first<{ n: number }>('SELECT 7 AS n')).toEqual({ n: 7 });
    expect(await adapter.first<{ n: number }>('SELECT 8 AS n')).toEqual({ n: 8 });
    await Promise.all([adapter.close(), bystander.close()]);
  });

  it('keeps the sessions to fence while the server cannot be reached, and fences them later', async () => {
    const { adapter, release } = await strandInsert(3);
    proxy.setMode('refuse');
    await expect(adapter.fenceAbandoned()).rejects.toThrow();
    proxy.setMode('pass');
    // 'refuse' destroyed the stranded link too: its session ends by itself or by this fence.
    expect(await adapter.fenceAbandoned()).toBeLessThanOrEqual(1);
    expect(await adapter.fenceAbandoned()).toBe(0);
    release();
    expect(await present(3)).toBe(false);
    await adapter.close();
  });

  it("another process's sessions: fenced from the list the first one left, in flight too; the fencer's own running session is left alone", async () => {
    // One given up on by its timeout, one still waiting for its reply (a process stopping with it in flight).
    const { adapter: timedOut, release } = await strandInsert(4);
    const waiting = createPostgresAdapter(proxiedUrl, { max: 1, queryTimeoutMs: 30_000 });
    await waiting.first('SELECT 1');
    const stalled = proxy.stallOpenConnections();
    const inFlight = waiting.execute('INSERT INTO sy_fence (id) VALUES (5)').catch((e: unknown) => e);
    await new Promise((resolve) => setTimeout(resolve, 100));
    expect(waiting.abandonedSessions()).toEqual([]);
    const listed = [...timedOut.abandonedSessions(), ...waiting.abandonedSessions({ inFlight: true })];
    expect(listed).toHaveLength(2);
    expect(listed.every((s) => s.pid > 0 && s.at <= Date.now())).toBe(true);
    const fencer = direct();
    const own = fencer.first<{ pid: number }>('SELECT pg_backend_pid() AS pid, pg_sleep(0.3)');
    await new Promise((resolve) => setTimeout(resolve, 50));
    const lookup = direct();
    const ownPid = (await lookup.first<{ pid: number }>("SELECT pid FROM pg_stat_activity WHERE query LIKE 'SELECT pg_backend_pid()%'"))!
      .pid;
    await lookup.close();
    expect(await fencer.fenceAbandoned([...listed, ...listed, { pid: ownPid, at: Date.now() }])).toBe(2);
    expect(await own).toMatchObject({ pid: ownPid });
    release();
    stalled();
    await inFlight;
    await new Promise((resolve) => setTimeout(resolve, 500));
    expect(await present(4)).toBe(false);
    expect(await present(5)).toBe(false);
    await Promise.all([timedOut.close(), waiting.close(), fencer.close()]);
  });

  it('leaves alone a listed session of a role it may not end, and fences the rest', async () => {
    const admin = direct();
    for (const role of ['sy_fence_other', 'sy_fence_self'])
      await admin.execute(`DO $$ BEGIN CREATE ROLE ${role} LOGIN PASSWORD 'pw'; EXCEPTION WHEN duplicate_object THEN NULL; END $$`);
    // It sees every session's start (most roles see only their own), but may end only its own.
    await admin.execute('GRANT pg_read_all_stats TO sy_fence_self');
    const as = (role: string) => {
      const url = new URL(database.url);
      url.username = role;
      url.password = 'pw';
      return createPostgresAdapter(url.toString(), { max: 1 });
    };
    const other = as('sy_fence_other');
    const mine = as('sy_fence_self');
    const pidOf = async (side: typeof other) => (await side.first<{ pid: number }>('SELECT pg_backend_pid() AS pid'))!.pid;
    const [otherPid, minePid] = [await pidOf(other), await pidOf(mine)];
    const fencer = as('sy_fence_self');
    // Another role's session (not this role's to end) and one of this role's: the first is left, the second ended.
    const listed = [
      { pid: otherPid, at: Date.now() },
      { pid: minePid, at: Date.now() },
    ];
    await expect(fencer.fenceAbandoned(listed)).resolves.toBe(1);
    expect(await other.first<{ n: number }>('SELECT 1 AS n')).toEqual({ n: 1 });
    expect(await admin.query('SELECT pid FROM pg_stat_activity WHERE pid = ?', [minePid])).toEqual([]);
    await Promise.all([other.close(), mine.close().catch(() => {}), fencer.close(), admin.close()]);
  });
});
