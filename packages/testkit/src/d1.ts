import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { Miniflare } from 'miniflare';

/** The D1 binding Miniflare hands out (the Workers `D1Database` type). */
export type TestD1Database = Awaited<ReturnType<Miniflare['getD1Database']>>;

/** A D1 database on Miniflare, the engine behind `wrangler dev`. */
export interface TestD1 {
  /** The Workers binding, as `env.DB` would be inside a Worker. */
  binding: TestD1Database;
  /** The Miniflare instance that owns it. */
  mf: Miniflare;
  /** Stops Miniflare and frees the database. */
  dispose(): Promise<void>;
}

// Miniflare needs a worker to host the binding; it never serves a request here.
const WORKER_SCRIPT = 'export default { fetch() { return new Response("ok") } }';

/**
 * Starts a Miniflare instance with one in-memory D1 database bound as `DB`. Each call
 * gets a database of its own, so test files running in parallel never share tables.
 *
 * @example
 * ```ts
 * const d1 = await createTestD1();
 * const adapter = createD1Adapter(d1.binding);
 * afterAll(() => d1.dispose());
 * ```
 */
export async function createTestD1(): Promise<TestD1> {
  const mf = new Miniflare({
    modules: true,
    script: WORKER_SCRIPT,
    d1Databases: { DB: `test-${Date.now().toString(36)}-${Math.random().toString(36).slice(2, 8)}` },
    d1Persist: false,
  });
  const binding = await mf.getD1Database('DB');
  return { binding, mf, dispose: () => mf.dispose() };
}

/** How the next requests to a {@link TestD1RestServer} fail, to exercise retries. */
export interface InjectedFailure {
  /** HTTP status to answer with, e.g. `429` or `500`. */
  status: number;
  /** `Retry-After` header to send (seconds, or an HTTP date). */
  retryAfter?: string;
}

/** A local server speaking the D1 REST API, backed by a Miniflare D1 database. */
export interface TestD1RestServer {
  /** Base URL to pass as the adapter's `baseUrl` (ends with `/client/v4`). */
  url: string;
  accountId: string;
  databaseId: string;
  /** The Bearer token the server accepts. */
  apiToken: string;
  /** Requests received so far, including rejected ones. */
  readonly requests: number;
  /** The binding underneath, to inspect what a request really did. */
  binding: TestD1Database;
  /** Makes the next `count` requests fail with `failure` before reaching D1. */
  failNext(count: number, failure: InjectedFailure): void;
  /**
   * Holds the next `count` requests `ms` before they reach D1, as a slow network does: a
   * client that stops waiting meanwhile still has its statement run afterwards.
   */
  delayNext(count: number, ms: number): void;
  /** Stops the HTTP server (and Miniflare when the server started it). */
  close(): Promise<void>;
}

interface QueryBody {
  sql?: unknown;
  params?: unknown;
  batch?: unknown;
}

/**
 * Serves `POST /client/v4/accounts/:account/d1/database/:id/query` on 127.0.0.1 with the
 * D1 REST API's request and response shapes: `{ sql, params }` for one statement,
 * `{ batch: [{ sql, params }, ...] }` for an atomic batch (D1's `batch()`), answered with
 * `{ success, errors, messages, result: [{ results, success, meta }] }`; and `.../raw` for
 * one statement, whose `results` are `{ columns, rows }` (rows as arrays). It checks the
 * Bearer token (401 otherwise), counts requests, and can fail the next requests on demand.
 *
 * @example
 * ```ts
 * const server = await startD1RestServer();
 * const adapter = createD1Adapter({ ...server, baseUrl: server.url });
 * server.failNext(1, { status: 429, retryAfter: '1' });
 * ```
 */
export async function startD1RestServer(binding?: TestD1Database): Promise<TestD1RestServer> {
  const owned = binding ? undefined : await createTestD1();
  const db = binding ?? owned!.binding;
  const accountId = 'test-account';
  const databaseId = '00000000-0000-4000-8000-000000000d1d';
  const apiToken = `test-token-${Math.random().toString(36).slice(2, 10)}`;
  const root = `/client/v4/accounts/${accountId}/d1/database/${databaseId}`;
  let requests = 0;
  const failures: InjectedFailure[] = [];
  const delays: number[] = [];

  const handle = async (req: IncomingMessage, res: ServerResponse): Promise<void> => {
    requests++;
    const body = await readBody(req);
    if (req.headers.authorization !== `Bearer ${apiToken}`) {
      return send(res, 401, failure(10000, 'Authentication error'));
    }
    const delay = delays.shift();
    if (delay) await new Promise((resolve) => setTimeout(resolve, delay));
    const injected = failures.shift();
    if (injected) {
      const headers: Record<string, string> = injected.retryAfter === undefined ? {} : { 'retry-after': injected.retryAfter };
      return send(res, injected.status, failure(injected.status === 429 ? 971 : 7500, 'Injected failure'), headers);
    }
    const endpoint = req.url?.split('?')[0];
    if (req.method !== 'POST' || (endpoint !== `${root}/query` && endpoint !== `${root}/raw`)) {
      return send(res, 404, failure(7404, `No route for ${req.method} ${req.url}`));
    }
    let parsed: QueryBody;
    try {
      parsed = JSON.parse(body) as QueryBody;
    } catch {
      return send(res, 400, failure(7400, 'The request body is not JSON.'));
    }
    try {
      const statements = Array.isArray(parsed.batch) ? (parsed.batch as QueryBody[]) : [parsed];
      const prepared = statements.map((s) => {
        if (typeof s.sql !== 'string') throw new Error('sql must be a string');
        const params = Array.isArray(s.params) ? s.params : [];
        return db.prepare(s.sql).bind(...params);
      });
      if (endpoint === `${root}/raw`) {
        if (prepared.length !== 1) throw new Error('this server takes one statement on /raw');
        const [columns = [], ...rows] = await prepared[0]!.raw<unknown[]>({ columnNames: true });
        const result = { results: { columns, rows: rows.map((row) => row.map(toJsonValue)) }, success: true, meta: {} };
        return send(res, 200, { success: true, errors: [], messages: [], result: [result] });
      }
      const results = prepared.length === 1 ? [await prepared[0]!.all()] : await db.batch(prepared);
      send(res, 200, {
        success: true,
        errors: [],
        messages: [],
        result: results.map((r) => ({ results: (r.results ?? []).map(toJsonRow), success: true, meta: r.meta })),
      });
    } catch (error) {
      // D1's REST API reports SQL errors as 400 with code 7500 and the engine's message.
      const message = (error instanceof Error ? error.message : String(error)).replace(/^D1_ERROR: /, '');
      send(res, 400, failure(7500, message));
    }
  };

  const server = createServer((req, res) => {
    handle(req, res).catch((error: unknown) => send(res, 500, failure(7500, String(error))));
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}/client/v4`,
    accountId,
    databaseId,
    apiToken,
    binding: db,
    get requests() {
      return requests;
    },
    failNext(count, injected) {
      for (let i = 0; i < count; i++) failures.push(injected);
    },
    delayNext(count, ms) {
      for (let i = 0; i < count; i++) delays.push(ms);
    },
    async close() {
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
      await owned?.dispose();
    },
  };
}

function failure(code: number, message: string) {
  return { success: false, errors: [{ code, message }], messages: [], result: null };
}

// Blobs leave D1 as bytes; over JSON they travel as arrays of numbers, as D1's API sends them.
function toJsonRow(row: unknown): unknown {
  const out: Record<string, unknown> = {};
  for (const [key, value] of Object.entries(row as Record<string, unknown>)) out[key] = toJsonValue(value);
  return out;
}

function toJsonValue(value: unknown): unknown {
  if (value instanceof ArrayBuffer) return Array.from(new Uint8Array(value));
  if (ArrayBuffer.isView(value)) return Array.from(new Uint8Array(value.buffer, value.byteOffset, value.byteLength));
  return value;
}

function send(res: ServerResponse, status: number, body: unknown, headers: Record<string, string> = {}): void {
  if (res.headersSent) return;
  res.writeHead(status, { 'content-type': 'application/json', ...headers });
  res.end(JSON.stringify(body));
}

function readBody(req: IncomingMessage): Promise<string> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    req.on('data', (chunk: Buffer) => chunks.push(chunk));
    req.on('end', () => resolve(Buffer.concat(chunks).toString('utf8')));
    req.on('error', reject);
  });
}
