import { readFile } from 'node:fs/promises';
import { fileURLToPath } from 'node:url';
import { Miniflare } from 'miniflare';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createD1Adapter } from '@switchyard/d1';
import { createPostgresAdapter } from '@switchyard/postgres';
import { createTestDatabase, type TestDatabase } from '@switchyard/testkit/postgres-server';
import { validateDatabases } from '@switchyard/validation';
// @ts-expect-error build.mjs is plain JavaScript.
import { bundleWorker } from '../build.mjs';

let mf: Miniflare;
let database: TestDatabase;

beforeAll(async () => {
  await bundleWorker('.switchyard-tmp/worker.js');
  database = await createTestDatabase();
  const client = new pg.Client({ connectionString: database.url });
  await client.connect();
  await client.query(
    'CREATE TABLE notes (id TEXT PRIMARY KEY, title TEXT NOT NULL, content TEXT NOT NULL, created_at TIMESTAMPTZ NOT NULL)',
  );
  await client.end();

  // Miniflare's Hyperdrive binding insists on a password; a server that trusts local
  // connections ignores it.
  const hyperdrive = new URL(database.url);
  if (!hyperdrive.password) hyperdrive.password = 'unused';
  // Two Workers on one D1 database: each runs in its own isolate, with its own module
  // state, as two isolates of one deployment do.
  const worker = {
    modules: true,
    scriptPath: fileURLToPath(new URL('../.switchyard-tmp/worker.js', import.meta.url)),
    compatibilityDate: '2025-09-01',
    compatibilityFlags: ['nodejs_compat', 'enable_nodejs_fs_module'],
    d1Databases: { DB: 'notes' },
    hyperdrives: { HYPERDRIVE: hyperdrive.toString() },
    bindings: { ADMIN_TOKEN: 'let-me-in', PRIMARY_DB: 'd1' },
  };
  mf = new Miniflare({
    d1Persist: false,
    workers: [
      { ...worker, name: 'notes' },
      { ...worker, name: 'notes-other-isolate' },
    ],
  });
  const d1 = await mf.getD1Database('DB');
  const migration = await readFile(new URL('../migrations/0001_notes.sql', import.meta.url), 'utf8');
  for (const statement of migration
    .replace(/--.*$/gm, '')
    .split(';')
    .map((s) => s.trim())
    .filter(Boolean))
    await d1.exec(statement.replace(/\s+/g, ' '));
});

afterAll(async () => {
  await mf?.dispose();
  await database?.drop();
});

const call = async (path: string, init: { method?: string; body?: unknown; token?: string; worker?: string } = {}) => {
  const fetch = init.worker ? ((await mf.getWorker(init.worker)).fetch as typeof mf.dispatchFetch) : mf.dispatchFetch.bind(mf);
  return fetch(`http://notes.example${path}`, {
    method: init.method ?? 'GET',
    headers: { 'content-type': 'application/json', ...(init.token ? { authorization: `Bearer ${init.token}` } : {}) },
    ...(init.body === undefined ? {} : { body: JSON.stringify(init.body) }),
  });
};

describe('the notes Worker in Miniflare: D1 primary, PostgreSQL through a Hyperdrive binding', () => {
  it('writes notes to D1 and PostgreSQL and lists them', async () => {
    for (const n of [1, 2, 3])
      expect((await call('/notes', { method: 'POST', body: { title: `Note ${n}`, content: `Body ${n}` } })).status).toBe(201);
    expect((await call('/notes', { method: 'POST', body: { content: 'no title' } })).status).toBe(400);
    const notes = (await (await call('/notes')).json()) as Array<{ title: string }>;
    expect(notes.map((n) => n.title).sort()).toEqual(['Note 1', 'Note 2', 'Note 3']);
  });

  it('reports metrics summed over requests on /health/database and /metrics', async () => {
    const health = (await (await call('/health/database')).json()) as { metadata: { mode: string }; metrics: Record<string, number> };
    expect(health.metadata.mode).toBe('primary-d1');
    expect(health.metrics).toMatchObject({ totalWrites: 3, successfulDualWrites: 3, secondaryFailures: 0, verificationFailures: 0 });
    const text = await (await call('/metrics')).text();
    expect(text).toMatch(/switchyard_writes_total\S* 3/);
  });

  it('reports both sides, the epoch and every isolate on /health/database', async () => {
    await call('/notes', { worker: 'notes-other-isolate' });
    const health = (await (await call('/health/database')).json()) as Record<string, any>;
    expect(health).toMatchObject({
      ok: true,
      mode: 'primary-d1',
      epoch: 1,
      sides: { primary: { ok: true, dialect: 'd1' }, secondary: { ok: true, dialect: 'postgres' } },
      journalDepth: 0,
      secondaryCircuit: 'closed',
    });
    expect(health.fleet).toMatchObject({ epoch: 1, allOnCurrentEpoch: true });
    expect(health.fleet.instances).toHaveLength(2);
  });

  it('switches every isolate to PostgreSQL from one admin route, without a deploy, and both sides stay equal', async () => {
    expect((await call('/admin/switch-primary', { method: 'POST' })).status).toBe(401);
    const switched = (await (await call('/admin/switch-primary', { method: 'POST', token: 'let-me-in' })).json()) as {
      mode: string;
      control: { epoch: number };
    };
    expect(switched).toMatchObject({ mode: 'primary-postgres', control: { epoch: 2 } });
    // The other isolate takes the new mode within the refresh bound (1 s).
    await new Promise((r) => setTimeout(r, 1100));
    for (const n of [4, 5])
      expect(
        (await call('/notes', { method: 'POST', body: { title: `Note ${n}`, content: `Body ${n}` }, worker: 'notes-other-isolate' }))
          .status,
      ).toBe(201);
    const other = (await (await call('/health/database', { worker: 'notes-other-isolate' })).json()) as {
      metadata: { mode: string };
      epoch: number;
    };
    expect(other).toMatchObject({ metadata: { mode: 'primary-postgres' }, epoch: 2 });
    const health = (await (await call('/health/database')).json()) as { metadata: { mode: string } };
    expect(health.metadata.mode).toBe('primary-postgres');

    const d1 = createD1Adapter(await mf.getD1Database('DB'));
    const postgres = createPostgresAdapter(database.url);
    try {
      const report = await validateDatabases(postgres, d1, { validateAllRows: true });
      expect(report.ok, report.summary).toBe(true);
      expect(report.totals.sourceRows).toBe(5);
    } finally {
      await postgres.close();
    }
  });
});
