import { mkdtemp, rm } from 'node:fs/promises';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createDualWriteAdapter, type DualWriteAdapter } from '@switchyard/dual-write';
import { createPostgresAdapter } from '@switchyard/postgres';
import { createSQLiteAdapter } from '@switchyard/sqlite';
import { createTestDatabase, type TestDatabase } from '@switchyard/testkit/postgres-server';
import { validateDatabases } from '@switchyard/validation';
import type { Server } from 'node:http';
import { createNotesServer } from './notes-app';
import { ensureNotesTable } from './notes-schema';

/** A response's JSON body; the assertions check its shape. */
const body = async (res: Response | Promise<Response>): Promise<any> => (await res).json();
let dir: string;
let database: TestDatabase;
let db: DualWriteAdapter;
let server: Server;
let base: string;

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'switchyard-node-app-'));
  database = await createTestDatabase();
  const sqlite = createSQLiteAdapter(join(dir, 'notes.db'));
  const postgres = createPostgresAdapter(database.url);
  await ensureNotesTable(sqlite);
  await ensureNotesTable(postgres);
  // A loaded CI machine can hold a healthy Postgres past the 500 ms default; this test is not about timeouts.
  db = createDualWriteAdapter(sqlite, postgres, { verifyWrites: true, secondaryTimeoutMs: 30_000 });
  server = createNotesServer(db, { adminToken: 'let-me-in' });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});

afterAll(async () => {
  await new Promise((resolve) => server?.close(resolve));
  await db?.close();
  await database?.drop();
  await rm(dir, { recursive: true, force: true });
});

const post = (path: string, body?: unknown, headers: Record<string, string> = {}) =>
  fetch(base + path, {
    method: 'POST',
    headers: { 'content-type': 'application/json', ...headers },
    body: body === undefined ? null : JSON.stringify(body),
  });

describe('the notes API over HTTP, through a SQLite -> PostgreSQL cutover', () => {
  it('writes notes to both databases and lists them', async () => {
    for (const n of [1, 2, 3]) {
      const res = await post('/notes', { title: `Note ${n}`, content: `Body ${n}` });
      expect(res.status).toBe(201);
      expect((await body(res)).id).toMatch(/^[0-9a-f-]{36}$/);
    }
    expect((await post('/notes', { content: 'no title' })).status).toBe(400);
    const notes = await body(fetch(base + '/notes'));
    expect(notes.map((n: { title: string }) => n.title).sort()).toEqual(['Note 1', 'Note 2', 'Note 3']);
  });

  it('reports the adapter on /health/database and /metrics', async () => {
    const health = await body(fetch(base + '/health/database'));
    expect(health.metadata.mode).toBe('primary-sqlite');
    expect(health.metrics).toMatchObject({ totalWrites: 3, successfulDualWrites: 3, secondaryFailures: 0, verificationFailures: 0 });
    const metrics = await fetch(base + '/metrics');
    expect(metrics.headers.get('content-type')).toContain('text/plain');
    const text = await metrics.text();
    expect(text).toMatch(/# TYPE switchyard_\w+/);
    expect(text).toMatch(/switchyard_writes_total\S* 3/);
  });

  it('switches primary from the admin route, keeps serving, and both sides stay equal', async () => {
    expect((await post('/admin/switch-primary')).status).toBe(401);
    const switched = await post('/admin/switch-primary', undefined, { authorization: 'Bearer let-me-in' });
    expect(switched.status).toBe(200);
    expect((await body(switched)).mode).toBe('primary-postgres');

    for (const n of [4, 5]) expect((await post('/notes', { title: `Note ${n}`, content: `Body ${n}` })).status).toBe(201);
    const notes = await body(fetch(base + '/notes'));
    expect(notes).toHaveLength(5);

    const [primary, secondary] = [db.primary, db.secondary];
    expect(primary.dialect).toBe('postgres');
    const report = await validateDatabases(primary, secondary, { validateAllRows: true });
    expect(report.ok, report.summary).toBe(true);

    const rolledBack = await post('/admin/switch-primary', undefined, { authorization: 'Bearer let-me-in' });
    expect((await body(rolledBack)).mode).toBe('primary-sqlite');
  });
});
