import { execFile } from 'node:child_process';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import Database from 'better-sqlite3';
import pg from 'pg';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { createTestDatabase, type TestDatabase } from '@switchyard/testkit/postgres-server';

// The root README's first example, run as written: the promise it makes must hold.
const here = fileURLToPath(new URL('..', import.meta.url));
const readme = fileURLToPath(new URL('../../../README.md', import.meta.url));
let dir: string;
let script: string;
let database: TestDatabase;

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'switchyard-readme-'));
  const db = new Database(join(dir, 'app.db'));
  db.exec('CREATE TABLE notes (id INTEGER PRIMARY KEY, title TEXT NOT NULL)');
  const insert = db.prepare('INSERT INTO notes (title) VALUES (?)');
  for (let i = 0; i < 250; i++) insert.run(`note ${i}`);
  db.close();
  database = await createTestDatabase();
  const example = /```ts\n([\s\S]*?)```/.exec(await readFile(readme, 'utf8'))?.[1];
  if (!example) throw new Error('README.md has no ts example');
  // Inside this package, so the example's imports resolve like an app's would.
  script = join(here, `.readme-example-${process.pid}.mts`);
  await writeFile(script, example);
});

afterAll(async () => {
  await rm(script, { force: true });
  await database?.drop();
  await rm(dir, { recursive: true, force: true });
});

it("runs the README's example: schema, dual write, backfill, validation, cutover", async () => {
  const result = await new Promise<{ code: number; output: string }>((resolve) => {
    execFile(
      process.execPath,
      ['--import', import.meta.resolve('tsx'), '--conditions=@switchyard/source', script],
      { cwd: dir, env: { ...process.env, DATABASE_URL: database.url }, timeout: 60_000 },
      (error, stdout, stderr) => resolve({ code: error ? Number(error.code ?? 1) : 0, output: stdout + stderr }),
    );
  });
  expect(result.code, result.output).toBe(0);
  const client = new pg.Client({ connectionString: database.url });
  await client.connect();
  try {
    const { rows } = await client.query('SELECT count(*)::int AS n FROM notes');
    expect(rows[0].n).toBe(251);
  } finally {
    await client.end();
  }
});
