import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestDatabase, type TestDatabase } from '@switchyard/testkit/postgres-server';
import { switchyard } from '../test/binary-run';

let dir: string;
let source: string;
let database: TestDatabase;
let target: string;

function seed(path: string): void {
  const db = new Database(path);
  db.exec(`
    CREATE TABLE users (id INTEGER PRIMARY KEY AUTOINCREMENT, email TEXT NOT NULL UNIQUE, active BOOLEAN NOT NULL DEFAULT 1,
      created_at DATETIME NOT NULL DEFAULT CURRENT_TIMESTAMP, profile JSON);
    CREATE TABLE posts (id INTEGER PRIMARY KEY AUTOINCREMENT, user_id INTEGER NOT NULL REFERENCES users(id), body TEXT NOT NULL);
    CREATE INDEX posts_user_idx ON posts (user_id);`);
  const user = db.prepare('INSERT INTO users (email, active, created_at, profile) VALUES (?, ?, ?, ?)');
  const post = db.prepare('INSERT INTO posts (user_id, body) VALUES (?, ?)');
  db.transaction(() => {
    for (let i = 1; i <= 300; i++) {
      user.run(
        `user${i}@example.com`,
        i % 3 ? 1 : 0,
        new Date(Date.UTC(2024, 0, 1, 0, i)).toISOString(),
        JSON.stringify({ n: i, tags: ['a', 'b'] }),
      );
      post.run(i, i === 1 ? 'Quotes \' and "double", commas, and\na new line' : `post ${i}`);
      post.run(i, `second post ${i}`);
    }
  })();
  db.close();
}

async function pgQuery(sql: string, params: unknown[] = []): Promise<pg.QueryResult> {
  const client = new pg.Client({ connectionString: target });
  await client.connect();
  try {
    return await client.query(sql, params);
  } finally {
    await client.end();
  }
}

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'switchyard-cli-'));
  source = `sqlite:${join(dir, 'app.db')}`;
  seed(join(dir, 'app.db'));
  database = await createTestDatabase();
  target = database.url;
});

afterAll(async () => {
  await database?.drop();
  await rm(dir, { recursive: true, force: true });
});

describe('switchyard, SQLite -> PostgreSQL, as a runbook runs it', () => {
  it('prints the translated schema, then applies it', async () => {
    const printed = await switchyard(['schema', source, '--to', 'postgres']);
    expect(printed.code, printed.stderr).toBe(0);
    expect(printed.stdout).toMatch(/CREATE TABLE (IF NOT EXISTS )?"?users"?/);
    expect(printed.stdout).toMatch(/CREATE TABLE (IF NOT EXISTS )?"?posts"?/);

    const applied = await switchyard(['schema', source, target, '--apply']);
    expect(applied.code, applied.stderr).toBe(0);
    expect(applied.stdout).toContain('created posts, users');
    // The new identities continue where SQLite's AUTOINCREMENT is, so dual writes get equal ids.
    expect(applied.stdout).toContain('users.id will generate ids after 300, as in <source>.');
    const tables = await pgQuery("SELECT table_name FROM information_schema.tables WHERE table_schema = 'public' ORDER BY 1");
    expect(tables.rows.map((r) => r.table_name)).toEqual(['posts', 'users']);
  });

  it('copies with a final summary and plain progress lines off a terminal, then shows the checkpoint status', async () => {
    const copy = await switchyard(['copy', source, target, '--batch-size', '100']);
    expect(copy.code, copy.stderr).toBe(0);
    expect(copy.stdout).toContain('Copy summary');
    expect(copy.stdout).toMatch(/users\s+done\s+300/);
    expect(copy.stdout).toMatch(/posts\s+done\s+600/);
    expect(copy.stderr).toMatch(/posts\s+\[#+\]\s+100%/);
    expect(copy.stderr).not.toContain('\x1b[');

    const again = await switchyard(['copy', source, target]);
    expect(again.code, again.stderr).toBe(0);
    expect(again.stdout).toMatch(/Rows: 0 copied/);

    // Starting over re-reads every row and skips those already there.
    const over = await switchyard(['copy', source, target, '--no-resume']);
    expect(over.code, over.stderr).toBe(0);
    expect(over.stdout).toMatch(/Rows: 900 copied, 0 written, 900 skipped/);

    // The remaining copyTables options, as flags.
    const flags = await switchyard([
      'copy',
      source,
      target,
      '--no-resume',
      '--no-copy-fast-path',
      '--no-sync-sequences',
      '--no-reconcile',
      '--worker-id',
      'cli-test',
      '--retries',
      '2',
      '--retry-delay',
      '50',
      '--claim-timeout',
      '5000',
      '--concurrency',
      '2',
      '--ranges',
      '2',
      '--tables',
      'users',
      '--json',
    ]);
    expect(flags.code, flags.stderr).toBe(0);
    const result = JSON.parse(flags.stdout);
    expect(result.tables).toMatchObject([{ table: 'users', status: 'done', method: 'insert', rowsSkipped: 300, ranges: 2 }]);
    const dry = await switchyard(['copy', source, target, '--dry-run', '--on-conflict', 'error']);
    expect(dry.code, dry.stderr).toBe(0);
    expect(dry.stdout).toContain('Copy plan (dry run, nothing written)');

    const status = await switchyard(['status', target, source]);
    expect(status.code, status.stderr).toBe(0);
    expect(status.stdout).toMatch(/users .*100%.*ranges \d+\/\d+ done \(done\)/);

    const json = await switchyard(['status', target, '--json']);
    expect(
      JSON.parse(json.stdout)
        .map((t: { table: string }) => t.table)
        .sort(),
    ).toEqual(['posts', 'users']);

    // The sequence moved past the copied ids: the app's next insert works.
    await pgQuery("INSERT INTO users (email) VALUES ('new@example.com')");
    await pgQuery("DELETE FROM users WHERE email = 'new@example.com'");
  });

  it('validates quickly, by sample and fully, with exit code 0 when equal', async () => {
    const [quick, sample, all] = await Promise.all([
      switchyard(['validate', source, target]),
      switchyard(['validate', source, target, '--sample', '500']),
      switchyard(['validate', source, target, '--all', '--json']),
    ]);
    expect(quick.code, quick.stdout + quick.stderr).toBe(0);
    expect(sample.code, sample.stdout + sample.stderr).toBe(0);
    expect(all.code, all.stdout + all.stderr).toBe(0);
    expect(JSON.parse(all.stdout).ok).toBe(true);
  });

  it('exits 1 on a difference, shows it, and repair fixes it', async () => {
    await pgQuery("UPDATE posts SET body = 'changed' WHERE id = 7");
    await pgQuery('DELETE FROM posts WHERE id = 8');
    const found = await switchyard(['validate', source, target, '--all']);
    expect(found.code).toBe(1);
    expect(found.stdout).toContain('posts: mismatch');
    expect(found.stdout).toMatch(/differs at id=7: body/);
    expect(found.stdout).toMatch(/missing in target: id=8/);

    const plan = await switchyard(['repair', source, target, '--dry-run']);
    expect(plan.code, plan.stderr).toBe(1);
    expect((await pgQuery('SELECT body FROM posts WHERE id = 7')).rows[0].body).toBe('changed');

    const fixed = await switchyard(['repair', source, target]);
    expect(fixed.code, fixed.stdout + fixed.stderr).toBe(0);
    const after = await switchyard(['validate', source, target, '--all']);
    expect(after.code, after.stdout).toBe(0);
    // After the cutover PostgreSQL is the source of truth: the same check, reversed.
    const reversed = await switchyard(['validate', target, source, '--all']);
    expect(reversed.code, reversed.stdout).toBe(0);
  });

  it('exports a table as SQL that loads back, as JSON lines and as CSV', async () => {
    const sql = await switchyard(['export', target, 'posts', '--format', 'sql', '--page-size', '64']);
    expect(sql.code, sql.stderr).toBe(0);
    const restored = new Database(':memory:');
    restored.exec('CREATE TABLE posts (id INTEGER PRIMARY KEY, user_id INTEGER NOT NULL, body TEXT NOT NULL)');
    restored.exec(sql.stdout);
    expect(restored.prepare('SELECT count(*) AS n FROM posts').get()).toEqual({ n: 600 });
    expect(restored.prepare('SELECT body FROM posts WHERE id = 1').get()).toEqual({
      body: 'Quotes \' and "double", commas, and\na new line',
    });

    const jsonl = await switchyard(['export', source, 'users', '--format', 'jsonl']);
    const lines = jsonl.stdout
      .trim()
      .split('\n')
      .map((l) => JSON.parse(l));
    expect(lines).toHaveLength(300);
    expect(lines[0]).toMatchObject({ id: 1, email: 'user1@example.com' });

    const out = join(dir, 'posts.csv');
    const csv = await switchyard(['export', source, 'posts', '--format', 'csv', '--out', out]);
    expect(csv.code, csv.stderr).toBe(0);
    const text = await readFile(out, 'utf8');
    expect(text.startsWith('id,user_id,body\r\n1,1,"Quotes \' and ""double"", commas, and\na new line"\r\n')).toBe(true);
    expect(text.trim().split('\r\n')).toHaveLength(601);

    const missing = await switchyard(['export', source, 'nope']);
    expect(missing.code).toBe(2);
    expect(missing.stderr).toContain('Table "nope" does not exist in <source>. Tables there: posts, users');
  });
  it('copies PostgreSQL back into a new SQLite file, the way back after dual writes are gone', async () => {
    const back = `sqlite:${join(dir, 'rollback.db')}`;
    const copy = await switchyard(['copy', target, back, '--create-schema', '--on-conflict', 'update']);
    expect(copy.code, copy.stdout + copy.stderr).toBe(0);
    expect(copy.stderr).toContain('Schema: created posts, users');
    const valid = await switchyard(['validate', target, back, '--all']);
    expect(valid.code, valid.stdout).toBe(0);

    // A row deleted in PostgreSQL stays in SQLite until repair --delete-extra.
    await pgQuery('DELETE FROM posts WHERE id = 600');
    const kept = await switchyard(['repair', target, back]);
    expect(kept.code, kept.stdout).toBe(1);
    expect(kept.stdout).toContain('add --delete-extra');
    const deleted = await switchyard(['repair', target, back, '--delete-extra']);
    expect(deleted.code, deleted.stdout + deleted.stderr).toBe(0);
    expect((await switchyard(['validate', target, back, '--all'])).code).toBe(0);
  });
});
