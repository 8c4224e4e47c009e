import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { switchyard } from '../test/binary-run';

let dir: string;

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'switchyard-cli-keyless-'));
  const db = new Database(join(dir, 'source.db'));
  db.exec(`
    CREATE TABLE store (id INTEGER PRIMARY KEY, manager_id INTEGER REFERENCES staff(id));
    CREATE TABLE staff (id INTEGER PRIMARY KEY, store_id INTEGER REFERENCES store(id));
    CREATE TABLE readings (device TEXT NOT NULL, seq INTEGER NOT NULL, value REAL, UNIQUE (device, seq));
    CREATE TABLE audit (line TEXT);
    PRAGMA foreign_keys = OFF;
    INSERT INTO store VALUES (1, 2), (2, 1);
    INSERT INTO staff VALUES (1, 2), (2, 1);
    INSERT INTO readings VALUES ('a', 1, 0.5), ('a', 2, 1.5), ('b', 1, 2.5);
    INSERT INTO audit VALUES ('x');
  `);
  db.close();
});

afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

it('names CLI flags for tables without a key, and --key-columns, --exclude and --dry-run handle them', async () => {
  const source = `sqlite:${join(dir, 'source.db')}`;
  const target = `sqlite:${join(dir, 'target.db')}`;
  const refused = await switchyard(['copy', source, target, '--create-schema']);
  expect(refused.code).toBe(2);
  expect(refused.stderr).toMatch(/"audit", "readings".*--key-columns <table>=<a,b>.*--exclude.*--skip-keyless/s);
  expect(refused.stderr).not.toMatch(/keyColumns|options\./);

  const plan = await switchyard(['copy', source, target, '--dry-run']);
  expect(plan.code).toBe(0);
  expect(plan.stdout).toMatch(/cycles.*staff <-> store/i);
  expect(plan.stdout).toMatch(/no primary key: audit, readings/);

  const copied = await switchyard(['copy', source, target, '--key-columns', 'readings=device,seq', '--exclude', 'audit']);
  expect(copied.stderr + copied.stdout).toMatch(/Tables: 3\/3 done/);
  expect(copied.code).toBe(0);
  const db = new Database(join(dir, 'target.db'));
  expect(db.prepare('SELECT count(*) AS n FROM readings').get()).toEqual({ n: 3 });
  expect(db.prepare('SELECT count(*) AS n FROM staff').get()).toEqual({ n: 2 });
  db.close();
});
