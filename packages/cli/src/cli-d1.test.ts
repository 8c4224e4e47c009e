import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { Miniflare } from 'miniflare';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startD1RestServer, type TestD1RestServer } from '@switchyard/testkit/d1';
import { switchyard } from '../test/binary-run';

let dir: string;
let rest: TestD1RestServer;
let d1Env: Record<string, string>;
let d1Url: string;

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'switchyard-cli-d1-'));
  const db = new Database(join(dir, 'app.db'));
  db.exec('CREATE TABLE notes (id INTEGER PRIMARY KEY, title TEXT NOT NULL, pinned BOOLEAN NOT NULL DEFAULT 0, meta JSON)');
  const insert = db.prepare('INSERT INTO notes (id, title, pinned, meta) VALUES (?, ?, ?, ?)');
  db.transaction(() => {
    for (let i = 1; i <= 250; i++) insert.run(i, `note ${i}`, i % 2, JSON.stringify({ i }));
  })();
  db.close();

  rest = await startD1RestServer();
  d1Url = `d1://${rest.accountId}/${rest.databaseId}`;
  d1Env = { CLOUDFLARE_API_TOKEN: rest.apiToken, SWITCHYARD_D1_API_URL: rest.url };

  // A wrangler project whose `wrangler dev` left a local D1 database behind.
  const mf = new Miniflare({
    modules: true,
    script: 'export default { fetch() { return new Response("ok") } }',
    d1Databases: { DB: 'local-notes' },
    d1Persist: join(dir, 'worker', '.wrangler', 'state', 'v3', 'd1'),
  });
  const local = await mf.getD1Database('DB');
  await local.exec('CREATE TABLE notes (id INTEGER PRIMARY KEY, title TEXT NOT NULL)');
  await local.batch([1, 2, 3].map((i) => local.prepare('INSERT INTO notes (id, title) VALUES (?, ?)').bind(i, `local ${i}`)));
  await mf.dispose();
});

afterAll(async () => {
  await rest?.close();
  await rm(dir, { recursive: true, force: true });
});

describe('switchyard with D1', () => {
  it('copies SQLite into D1 over the REST API and validates every row, never printing the token', async () => {
    const source = `sqlite:${join(dir, 'app.db')}`;
    const schema = await switchyard(['schema', source, d1Url, '--apply'], { env: d1Env });
    expect(schema.code, schema.stderr).toBe(0);
    const copy = await switchyard(['copy', source, d1Url], { env: d1Env });
    expect(copy.code, copy.stdout + copy.stderr).toBe(0);
    expect(copy.stdout).toMatch(/notes\s+done\s+250/);
    const valid = await switchyard(['validate', source, d1Url, '--all'], { env: d1Env });
    expect(valid.code, valid.stdout + valid.stderr).toBe(0);
    expect(valid.stdout + valid.stderr + copy.stdout + copy.stderr).not.toContain(rest.apiToken);

    const denied = await switchyard(['validate', source, d1Url], { env: { ...d1Env, CLOUDFLARE_API_TOKEN: 'wrong-token-value' } });
    expect(denied.code).toBe(2);
    expect(denied.stderr).not.toContain('wrong-token-value');
  });

  it('reads the local D1 of a wrangler project with d1-local:', async () => {
    const exported = await switchyard(['export', `d1-local:${join(dir, 'worker')}`, 'notes', '--format', 'jsonl']);
    expect(exported.code, exported.stderr).toBe(0);
    expect(
      exported.stdout
        .trim()
        .split('\n')
        .map((l) => JSON.parse(l).title),
    ).toEqual(['local 1', 'local 2', 'local 3']);

    const missing = await switchyard(['export', `d1-local:${dir}`, 'notes']);
    expect(missing.code).toBe(2);
    expect(missing.stderr).toContain('has no local D1 state');
  });
});
