import { fork } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, afterEach, describe, expect, it, onTestFailed, onTestFinished } from 'vitest';
import type { DatabaseAdapter } from '@switchyard/core';
import { createPostgresAdapter } from '@switchyard/postgres';
import { createSQLiteAdapter } from '@switchyard/sqlite';
import { createTestDatabase, startFaultProxy, type FaultProxy } from '@switchyard/testkit';
import { validateDatabases } from '@switchyard/validation';
import { tableJournal } from '../src/index';
import { createDualWriteAdapter } from './patient-dual-write';
import { drainOutbox, outboxMirror, type OutboxMirror } from '../src/mirror/index';
import type { ChildReport, ChildSettings } from './chaos-child';
import { startFaults } from './chaos-run';
import { chaosSeed, seededRandom } from './chaos-random';

const here = dirname(fileURLToPath(import.meta.url));
const dir = mkdtempSync(join(tmpdir(), 'sy-dual-processes-'));
const PROCESSES = 3;
const ROWS = 200;
const PG_SHARED = 'CREATE TABLE shared (id bigint PRIMARY KEY, n bigint NOT NULL, v text, w int NOT NULL)';
const SQLITE_SHARED = 'CREATE TABLE shared (id INTEGER PRIMARY KEY, n INTEGER NOT NULL, v TEXT, w INTEGER NOT NULL)';
// Between Postgres sides, a document pg reads as SQL NULL: every path a row takes must carry it as the document.
const PG_SHARED_DOC =
  "CREATE TABLE shared (id bigint PRIMARY KEY, n bigint NOT NULL, v text, w int NOT NULL, doc jsonb NOT NULL DEFAULT 'null')";
const cleanups: (() => Promise<unknown>)[] = [];

afterEach(async () => {
  for (const c of cleanups.splice(0).reverse()) await c().catch(() => {});
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

interface Instance {
  /** Resolves when the instance is connected and waits for `go()`. */
  ready: Promise<void>;
  go(): void;
  /** What it reports when its writes are done. */
  report: Promise<ChildReport>;
}

/** Starts one app instance in its own process. */
function instance(settings: ChildSettings): Instance {
  const child = fork(join(here, 'chaos-child.ts'), [], {
    cwd: join(here, '..'),
    execArgv: ['--import', 'tsx', '--conditions=@switchyard/source'],
    env: { ...process.env, CHAOS_CHILD: JSON.stringify(settings) },
    stdio: ['ignore', 'inherit', 'pipe', 'ipc'],
  });
  cleanups.push(async () => child.kill('SIGKILL'));
  let stderr = '';
  child.stderr!.on('data', (d: Buffer) => (stderr += d.toString()));
  let result: ChildReport | undefined;
  let markReady!: () => void;
  const ready = new Promise<void>((resolve) => (markReady = resolve));
  child.on('message', (m: { ready?: true; report?: ChildReport }) => (m.ready ? markReady() : (result = m.report)));
  const report = new Promise<ChildReport>((resolve, reject) => {
    child.on('exit', (code) =>
      result ? resolve(result) : reject(new Error(`instance exited ${code} without a report: ${stderr.slice(-2000)}`)),
    );
  });
  return { ready: Promise.race([ready, report.then(() => {})]), go: () => child.send('go'), report };
}

async function proxyFor(url: string): Promise<FaultProxy> {
  const target = new URL(url);
  const proxy = await startFaultProxy({ target: { host: target.hostname, port: Number(target.port || 5432) }, dropDelayMs: 100 });
  cleanups.push(() => proxy.close());
  return proxy;
}

/**
 * Three processes write the same hot rows through one pair, with faults on the
 * secondary; then one more instance replays the shared journal. Every row must be equal
 * on both sides, and `n` must be what the acknowledged writes added.
 */
async function runInstances(
  primarySpec: string,
  primary: DatabaseAdapter,
  secondaryUrl: string,
  secondaryDdl: string,
  primaryDdl: string,
  outbox = false,
): Promise<void> {
  const seed = chaosSeed();
  const notes = [`seed ${seed} (rerun with DW_CHAOS_SEED=${seed})`];
  onTestFailed(() => console.error(`[dual-write processes] ${notes.join('\n  ')}`));
  if (process.env.DW_CHAOS_VERBOSE) onTestFinished(() => console.log(`[dual-write processes] ${notes.join('\n  ')}`));
  const secondary = createPostgresAdapter(secondaryUrl, { name: 'secondary', max: 2 });
  cleanups.push(() => secondary.close());
  await primary.execute(primaryDdl);
  await secondary.execute(secondaryDdl);
  const seedRows = Array.from({ length: ROWS }, (_, i) => ({
    sql: 'INSERT INTO shared (id, n, v, w) VALUES (?, 0, ?, 0)',
    params: [i + 1, 'seed'],
  }));
  await primary.batch(seedRows);
  await secondary.batch(seedRows);
  // The journal and outbox tables exist before the instances race to create them.
  await tableJournal(primary).entries();
  const mirror = outbox ? outboxMirror(primary) : undefined;
  await mirror?.ensureTable();

  const proxy = await proxyFor(secondaryUrl);
  const writes = Number(process.env.DW_CHAOS_WRITES ?? 30);
  const instances = Array.from({ length: PROCESSES }, (_, p) =>
    instance({
      primary: primarySpec,
      secondary: proxy.url(secondaryUrl),
      seed: seed + p,
      loops: 4,
      writesPerLoop: writes,
      rows: ROWS,
      outbox,
    }),
  );
  await Promise.all(instances.map((i) => i.ready));
  for (const i of instances) i.go();
  const faults = startFaults(proxy, seededRandom(seed ^ 0x2545f491), 6);
  // In async mode one drain applies every instance's entries while they write, through the faults.
  const drain = mirror ? drainWhile(mirror, proxy.url(secondaryUrl), instances, () => faults.done) : undefined;
  const reports = await Promise.all(instances.map((i) => i.report));
  const drainErrors = await drain;
  notes.push(`faults ${(await faults.stop()).join(',')}; drain errors ${drainErrors?.join(' | ') ?? 'none'}`);
  proxy.killConnections();
  notes.push(
    ...reports.map(
      (r, p) =>
        `instance ${p}: acked ${r.acked}, failed ${r.failed.length} ${JSON.stringify(r.failed.slice(0, 3))}, metrics ${JSON.stringify(r.metrics)}, events ${JSON.stringify(r.events)}`,
    ),
  );

  if (mirror) {
    await drainOutbox(secondary, { mirror });
    expect(await mirror.peek(1), 'the outbox is drained').toEqual([]);
  } else {
    // Another instance settles what the shared journal holds.
    const dual = createDualWriteAdapter(primary, secondary, { journal: tableJournal(primary) });
    let replay = await dual.replayJournal();
    for (let tries = 0; replay.remaining > 0 && tries < 50; tries++) {
      await new Promise((r) => setTimeout(r, 200));
      replay = await dual.replayJournal();
    }
    expect(replay, replay.error?.message).toMatchObject({ remaining: 0 });
  }

  const report = await validateDatabases(primary, secondary, { validateAllRows: true, tables: ['shared'] });
  notes.push(`validation ${report.summary} ${JSON.stringify(report.tables[0]?.differentRows.slice(0, 5))}`);
  expect(report.ok, report.summary).toBe(true);
  const expected = Array.from({ length: ROWS }, (_, i) => ({ id: i + 1, n: reports.reduce((sum, r) => sum + (r.added[i + 1] ?? 0), 0) }));
  for (const side of [primary, secondary]) {
    const rows = await side.query<{ id: unknown; n: unknown }>('SELECT id, n FROM shared ORDER BY id');
    expect(
      rows.map((r) => ({ id: Number(r.id), n: Number(r.n) })),
      `${side.name} holds what the acknowledged writes added`,
    ).toEqual(expected);
  }
  expect(report.ok).toBe(true);
  expect(reports.reduce((sum, r) => sum + r.acked, 0)).toBeGreaterThan(PROCESSES * 4 * writes * 0.5);
}

/**
 * Drains the outbox through `url` until every instance has reported and every fault was
 * injected (the writes end sooner than the faults in async mode); returns the drain errors.
 */
async function drainWhile(mirror: OutboxMirror, url: string, instances: readonly Instance[], faultsDone: () => boolean): Promise<string[]> {
  const secondary = createPostgresAdapter(url, { name: 'drain', max: 2, queryTimeoutMs: 1_500, connectTimeoutMs: 1_000 });
  cleanups.push(() => secondary.close());
  let writing = true;
  void Promise.allSettled(instances.map((i) => i.report)).then(() => (writing = false));
  const errors: string[] = [];
  while (writing || !faultsDone()) {
    await drainOutbox(secondary, { mirror, batchSize: 25 }).catch((error: Error) => errors.push(error.message.slice(0, 120)));
    await new Promise((r) => setTimeout(r, 10));
  }
  return errors;
}

for (const outbox of [false, true]) {
  const how = outbox ? 'through outboxes in one primary, drained while they write' : 'through one pair, verifyWrites on';
  describe(`three app instances (processes) writing the same hot rows ${how}`, () => {
    it('SQLite file (WAL) -> Postgres', { timeout: 240_000 }, async () => {
      const db = await createTestDatabase();
      cleanups.push(() => db.drop());
      const file = join(dir, outbox ? 'shared-outbox.db' : 'shared.db');
      const primary = createSQLiteAdapter(file, { name: 'primary' });
      cleanups.push(() => primary.close());
      await runInstances(`sqlite:${file}`, primary, db.url, PG_SHARED, SQLITE_SHARED, outbox);
    });

    it('Postgres -> Postgres', { timeout: 240_000 }, async () => {
      const [a, b] = await Promise.all([createTestDatabase(), createTestDatabase()]);
      cleanups.push(
        () => a.drop(),
        () => b.drop(),
      );
      const primary = createPostgresAdapter(a.url, { name: 'primary', max: 2 });
      cleanups.push(() => primary.close());
      await runInstances(a.url, primary, b.url, PG_SHARED_DOC, PG_SHARED_DOC, outbox);
    });
  });
}
