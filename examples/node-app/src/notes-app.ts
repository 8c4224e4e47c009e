import { randomUUID } from 'node:crypto';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import { toPrometheus, type DualWriteAdapter, type DualWriteHealth } from '@switchyard/dual-write';
import { checkHealth } from '@switchyard/core';

/** Options of {@link createNotesServer}. */
export interface NotesServerOptions {
  /** When set, `POST /admin/switch-primary` needs `Authorization: Bearer <adminToken>`. */
  adminToken?: string;
}

class HttpError extends Error {
  constructor(
    readonly status: number,
    message: string,
  ) {
    super(message);
  }
}

/**
 * The notes API. Every query goes through the dual-write adapter, so the handlers are
 * the same before, during and after the move:
 *
 * - `POST /notes` `{ title, content }` -> `201 { id }`
 * - `GET /notes` -> the 100 newest notes
 * - `GET /health/database` -> `checkHealth(db)` (both sides, mode, epoch, instances) with `metadata` and `metrics`; 503 when unhealthy
 * - `GET /metrics` -> the metrics in Prometheus text format
 * - `POST /admin/switch-primary` -> swaps primary and secondary (call again to roll back)
 */
export function createNotesServer(db: DualWriteAdapter, options: NotesServerOptions = {}): Server {
  const routes: Record<string, (req: IncomingMessage, res: ServerResponse) => Promise<void>> = {
    'POST /notes': async (req, res) => {
      const body = await readJson(req);
      const title = body.title;
      const content = body.content;
      if (typeof title !== 'string' || title.trim() === '' || typeof content !== 'string') {
        throw new HttpError(400, 'Send JSON { "title": string, "content": string }; title must not be empty.');
      }
      const id = randomUUID();
      await db.execute('INSERT INTO notes (id, title, content, created_at) VALUES (?, ?, ?, ?)', [id, title, content, new Date()]);
      json(res, 201, { id });
    },
    'GET /notes': async (_req, res) => {
      const rows = await db.query('SELECT id, title, content, created_at FROM notes ORDER BY created_at DESC, id LIMIT 100');
      json(res, 200, rows);
    },
    'GET /health/database': async (_req, res) => {
      // Both sides' round trips, mode, epoch, journal, circuit and every instance; never throws.
      const health = await checkHealth<DualWriteHealth>(db);
      json(res, health.ok ? 200 : 503, { ...health, metadata: db.getMetadata(), metrics: db.getMetrics() });
    },
    'GET /metrics': async (_req, res) => {
      res.writeHead(200, { 'content-type': 'text/plain; version=0.0.4' }).end(toPrometheus(db.getMetrics()));
    },
    'POST /admin/switch-primary': async (req, res) => {
      if (options.adminToken && req.headers.authorization !== `Bearer ${options.adminToken}`) {
        throw new HttpError(401, 'Send Authorization: Bearer <ADMIN_TOKEN>.');
      }
      json(res, 200, await db.switchPrimary());
    },
  };

  return createServer((req, res) => {
    const path = new URL(req.url ?? '/', 'http://localhost').pathname;
    const route = routes[`${req.method} ${path}`];
    if (!route) return json(res, 404, { error: `No route for ${req.method} ${path}.` });
    route(req, res).catch((error: unknown) => {
      if (error instanceof HttpError) return json(res, error.status, { error: error.message });
      // The database error goes to the log, not to the client.
      console.error(error);
      json(res, 500, { error: 'The database write failed; see the server log.' });
    });
  });
}

function json(res: ServerResponse, status: number, body: unknown): void {
  res.writeHead(status, { 'content-type': 'application/json' }).end(JSON.stringify(body));
}

async function readJson(req: IncomingMessage): Promise<Record<string, unknown>> {
  let text = '';
  for await (const chunk of req) {
    text += chunk;
    if (text.length > 1_000_000) throw new HttpError(413, 'The body is larger than 1 MB.');
  }
  try {
    const value = JSON.parse(text) as unknown;
    if (value && typeof value === 'object' && !Array.isArray(value)) return value as Record<string, unknown>;
  } catch {
    // Answered below.
  }
  throw new HttpError(400, 'The body is not a JSON object.');
}
