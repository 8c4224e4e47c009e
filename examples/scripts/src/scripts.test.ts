import { execFile } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import Database from 'better-sqlite3';
import pg from 'pg';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { createTestDatabase, type TestDatabase } from '@switchyard/testkit/postgres-server';

const here = fileURLToPath(new URL('..', import.meta.url));
let dir: string;
let database: TestDatabase;
let env: Record<string, string | undefined>;

function runScript(name: 'backfill' | 'validate'): Promise<{ code: number; output: string }> {
  return new Promise((resolve) => {
    execFile('pnpm', ['run', '--silent', name], { cwd: here, env, timeout: 60_000 }, (error, stdout, stderr) => {
      resolve({ code: typeof error?.code === 'number' ? error.code : error ? -1 : 0, output: stdout + stderr });
    });
  });
}

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'switchyard-scripts-'));
  const db = new Database(join(dir, 'app.db'));
  db.exec(`CREATE TABLE customers (id INTEGER PRIMARY KEY AUTOINCREMENT, name TEXT NOT NULL, vip BOOLEAN NOT NULL DEFAULT 0);
    CREATE TABLE orders (id INTEGER PRIMARY KEY AUTOINCREMENT, customer_id INTEGER NOT NULL REFERENCES customers(id), total REAL NOT NULL, placed_at DATETIME NOT NULL);`);
  const customer = db.prepare('INSERT INTO customers (name, vip) VALUES (?, ?)');
  const order = db.prepare('INSERT INTO orders (customer_id, total, placed_at) VALUES (?, ?, ?)');
  db.transaction(() => {
    for (let i = 1; i <= 400; i++) {
      customer.run(`customer ${i}`, i % 5 === 0 ? 1 : 0);
      order.run(i, i * 1.25, new Date(Date.UTC(2024, 5, 1, 12, 0, i)).toISOString());
    }
  })();
  db.close();
  database = await createTestDatabase();
  env = { ...process.env, SQLITE_PATH: join(dir, 'app.db'), DATABASE_URL: database.url };
});

afterAll(async () => {
  await database?.drop();
  await rm(dir, { recursive: true, force: true });
});

it('backfill.ts creates the schema and copies every row; validate.ts then exits 0, and 1 after a change', async () => {
  const backfill = await runScript('backfill');
  expect(backfill.code, backfill.output).toBe(0);
  expect(backfill.output).toContain('Created customers, orders in PostgreSQL.');
  expect(backfill.output).toMatch(/orders: done, 400 copied/);

  const again = await runScript('backfill');
  expect(again.code, again.output).toBe(0);

  const valid = await runScript('validate');
  expect(valid.code, valid.output).toBe(0);

  const client = new pg.Client({ connectionString: database.url });
  await client.connect();
  await client.query('UPDATE orders SET total = total + 1 WHERE id = 42');
  await client.end();
  const invalid = await runScript('validate');
  expect(invalid.code, invalid.output).toBe(1);
  expect(invalid.output).toMatch(/orders: differs at \{"id":42\}: total/);
});
