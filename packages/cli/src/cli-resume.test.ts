import { spawn } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { createTestDatabase, type TestDatabase } from '@switchyard/testkit/postgres-server';
import { BINARY } from '../test/binary-build';
import { switchyard } from '../test/binary-run';

let dir: string;
let database: TestDatabase;

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'switchyard-cli-resume-'));
  const db = new Database(join(dir, 'source.db'));
  db.exec('CREATE TABLE events (id INTEGER PRIMARY KEY, payload TEXT NOT NULL)');
  const insert = db.prepare('INSERT INTO events (id, payload) VALUES (?, ?)');
  db.transaction(() => {
    for (let i = 1; i <= 3_000; i++) insert.run(i, `event ${i}`);
  })();
  db.close();
  database = await createTestDatabase();
});

afterAll(async () => {
  await database?.drop();
  await rm(dir, { recursive: true, force: true });
});

it('stops a copy at a batch boundary on Ctrl-C and resumes it when run again', async () => {
  const source = `sqlite:${join(dir, 'source.db')}`;
  const target = database.url;
  const args = ['copy', source, target, '--create-schema', '--batch-size', '5'];

  const child = spawn(process.execPath, [BINARY, ...args]);
  let stderr = '';
  let stdout = '';
  child.stdout.on('data', (c) => (stdout += c));
  const code = await new Promise<number | null>((resolve) => {
    child.stderr.on('data', (chunk) => {
      stderr += chunk;
      // The first progress line: the copy is under way.
      if (/events +\[/.test(stderr) && !child.killed) child.kill('SIGINT');
    });
    child.once('exit', resolve);
  });
  expect(code, stdout + stderr).toBe(2);
  expect(stderr).toContain('Run the same command again to resume');
  expect(stdout).toMatch(/events +aborted/);

  const status = await switchyard(['status', target, source]);
  expect(status.code).toBe(1);
  expect(status.stdout).toMatch(/events .*ranges 0\/1 done \(pending\)/);

  const resumed = await switchyard(args);
  expect(resumed.code, resumed.stdout + resumed.stderr).toBe(0);
  const valid = await switchyard(['validate', source, target, '--all']);
  expect(valid.code, valid.stdout).toBe(0);
});
