import { fork } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, expect, it } from 'vitest';
import { createPostgresAdapter } from '@switchyard/postgres';
import { createSQLiteAdapter } from '@switchyard/sqlite';
import { createDualWriteAdapter } from '../src/index';
import { dropOwnTables, twoTestDatabases } from './two-databases';

/**
 * better-sqlite3 waits for another process's lock inside the call, on the thread: a timer
 * cannot end it. A SQLite secondary that another process held locked stalled every write
 * (and the whole process) for the lock's length, up to busy_timeout (5 s), whatever
 * `secondaryTimeoutMs` said. As a secondary its wait is cut to `secondaryTimeoutMs`; then
 * the circuit opens and writes are journaled until the lock is gone.
 */
const dbs = twoTestDatabases();
const dir = mkdtempSync(join(tmpdir(), 'sy-locked-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

it('a SQLite secondary another process holds locked costs a write about secondaryTimeoutMs, not the lock', async () => {
  const file = join(dir, 'secondary.db');
  const primary = createPostgresAdapter(dbs.database.url, { name: 'pg' });
  const secondary = createSQLiteAdapter(file, { name: 'sqlite' });
  await dropOwnTables(primary);
  await primary.execute('DROP TABLE IF EXISTS t');
  await primary.execute('CREATE TABLE t (id bigint PRIMARY KEY, v text)');
  await secondary.execute('CREATE TABLE t (id INTEGER PRIMARY KEY, v TEXT)');
  const circuit: string[] = [];
  const app = createDualWriteAdapter(primary, secondary, {
    continueOnSecondaryFailure: true,
    secondaryTimeoutMs: 200,
    probeIntervalMs: 100,
    onEvent: (e) => void (e.type === 'circuit' && circuit.push(e.state)),
  });
  try {
    expect(secondary.database.pragma('busy_timeout', { simple: true })).toBe(200);
    await app.execute("INSERT INTO t (id, v) VALUES (1, 'before')");

    const holder = fork(join(dirname(fileURLToPath(import.meta.url)), 'sqlite-lock-child.ts'), [file, '4000'], {
      execArgv: ['--import', 'tsx', '--conditions=@switchyard/source'],
    });
    const done = new Promise((resolve) => holder.once('exit', resolve));
    await new Promise((resolve) => holder.once('message', resolve));
    const started = performance.now();
    for (let id = 2; id <= 7; id++) await app.execute('INSERT INTO t (id, v) VALUES (?, ?)', [id, 'while locked']);
    // Held for 4 s: six writes waiting on the lock would take at least that; bounded, they take about 0.2 s.
    expect(performance.now() - started).toBeLessThan(2_000);
    expect(app.getMetrics()).toMatchObject({ secondaryCircuit: 'open', journalDepth: 6 });
    // The probe asks for the write lock without waiting: the circuit stays open while it is held
    // (a SELECT 1 would answer, and each next write would wait on the lock again).
    await new Promise((resolve) => setTimeout(resolve, 1_000));
    expect(circuit).toEqual(['open']);

    await done;
    await expect.poll(() => circuit, { timeout: 5_000 }).toEqual(['open', 'closed']);
    await app.replayJournal();
    expect(app.getMetrics().journalDepth).toBe(0);
    expect(await secondary.query('SELECT id FROM t WHERE id < 100 ORDER BY id')).toEqual([1, 2, 3, 4, 5, 6, 7].map((id) => ({ id })));
    // Made primary, it waits on locks as long as it did before.
    await app.switchPrimary();
    expect(secondary.database.pragma('busy_timeout', { simple: true })).toBe(5000);
  } finally {
    await app.close();
  }
}, 30_000);
