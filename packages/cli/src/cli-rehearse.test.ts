import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestDatabase, type TestDatabase } from '@switchyard/testkit/postgres-server';
import { runCli } from './cli-run';
import type { CliIO } from './command-types';

let dir: string;
let database: TestDatabase;

function io(): CliIO & { out: () => string } {
  let text = '';
  const stream = { write: (chunk: string) => ((text += chunk), true), once: () => undefined };
  return { stdout: stream, stderr: stream, env: {}, out: () => text };
}

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'switchyard-rehearse-'));
  database = await createTestDatabase();
  const db = new Database(join(dir, 'app.db'));
  db.exec(
    "CREATE TABLE tags (id INTEGER PRIMARY KEY, name TEXT UNIQUE, hidden BOOLEAN NOT NULL DEFAULT 0); INSERT INTO tags VALUES (1, 'a', 0), (2, 'b', 1);",
  );
  db.close();
  const client = new pg.Client({ connectionString: database.url });
  await client.connect();
  await client.query(
    "CREATE TABLE tags (id BIGINT PRIMARY KEY, name TEXT UNIQUE, hidden BOOLEAN NOT NULL DEFAULT false); INSERT INTO tags VALUES (1, 'a', false), (2, 'b', true)",
  );
  await client.end();
});

afterAll(async () => {
  await database?.drop();
  await rm(dir, { recursive: true, force: true });
});

describe('switchyard rehearse', () => {
  it('rehearses a statement log on the target and reports per shape, changing neither side', async () => {
    const log = [
      { sql: 'INSERT OR IGNORE INTO tags (id, name) VALUES (?, ?)', params: [3, 'c'] },
      { sql: 'SELECT id FROM tags WHERE hidden = 0 ORDER BY id' },
      { sql: 'SELECT group_concat(name) AS names FROM tags' },
    ];
    await writeFile(join(dir, 'log.jsonl'), log.map((s) => JSON.stringify(s)).join('\n'));
    const run = io();
    const code = await runCli(
      ['rehearse', `sqlite:${join(dir, 'app.db')}`, database.url, '--statements', join(dir, 'log.jsonl'), '--json'],
      run,
    );
    const report = JSON.parse(run.out());
    expect(report.shapes.map((s: { outcome: string }) => s.outcome)).toEqual(['works', 'works', 'untranslated']);
    expect(code).toBe(1);

    await writeFile(join(dir, 'report.json'), run.out());
    const printed = io();
    expect(await runCli(['rehearse', '--report', join(dir, 'report.json')], printed)).toBe(1);
    expect(printed.out()).toMatch(/3 shapes \(3 statements\): 2 work, 0 fail, 0 differ, 1 untranslated/);

    const db = new Database(join(dir, 'app.db'));
    expect(db.prepare('SELECT count(*) AS n FROM tags').get()).toEqual({ n: 2 });
    db.close();
  });

  it('asks for the statements', async () => {
    const run = io();
    expect(await runCli(['rehearse', 'sqlite::memory:', 'sqlite::memory:'], run)).toBe(2);
    expect(run.out()).toMatch(/--statements <file>/);
  });
});
