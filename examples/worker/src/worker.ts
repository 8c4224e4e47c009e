import { createD1Adapter } from '@switchyard/d1';
import { checkHealth } from '@switchyard/core';
import {
  cachedControlStore,
  controlTable,
  createDualWriteAdapter,
  toPrometheus,
  type ControlStore,
  type DualWriteAdapter,
  type DualWriteHealth,
} from '@switchyard/dual-write';
import { createPostgresAdapter } from '@switchyard/postgres';
import pg from 'pg';
import type { D1DatabaseLike } from '@switchyard/d1';
import { IsolateMetrics } from './worker-metrics';

/** The Worker's bindings (see wrangler.toml). */
export interface Env {
  /** Today's database. */
  DB: D1DatabaseLike;
  /** The PostgreSQL to move to, through Hyperdrive (a local connection string under `wrangler dev`). */
  HYPERDRIVE: { connectionString: string };
  /** `d1` (default) or `postgres`: which side is primary when the control record does not exist yet. */
  PRIMARY_DB?: string;
  /** Bearer token for `POST /admin/switch-primary`. */
  ADMIN_TOKEN?: string;
}

interface Ctx {
  waitUntil(promise: Promise<unknown>): void;
}

const metrics = new IsolateMetrics();
// The mode lives in the control record, a `_switchyard_control` table in D1: every isolate
// reads it (once a second at most, shared by the isolate's requests), and
// /admin/switch-primary advances it for all of them, without a deploy.
let control: ControlStore | undefined;
let isolateId: string | undefined;

const json = (body: unknown, status = 200) => Response.json(body, { status });

export default {
  async fetch(request: Request, env: Env, ctx: Ctx): Promise<Response> {
    const client = new pg.Client({ connectionString: env.HYPERDRIVE.connectionString });
    await client.connect();
    control ??= cachedControlStore(controlTable(createD1Adapter(env.DB)));
    isolateId ??= `isolate-${crypto.randomUUID().slice(0, 8)}`;
    // Hyperdrive resets a connection's session after each query: a SET of the output formats would not hold.
    const postgres = createPostgresAdapter(client, { closePool: true, sessionFormats: false });
    const db = createDualWriteAdapter(createD1Adapter(env.DB), postgres, {
      mode: env.PRIMARY_DB === 'postgres' ? 'primary-postgres' : 'primary-d1',
      verifyWrites: true,
      control: { store: control, instanceId: isolateId, background: false },
    });
    try {
      return await route(request, env, db);
    } catch (error) {
      console.error(error);
      return json({ error: 'The database request failed; see the Worker log.' }, 500);
    } finally {
      metrics.add(db.getMetrics());
      ctx.waitUntil(db.close());
    }
  },
};

async function route(request: Request, env: Env, db: DualWriteAdapter): Promise<Response> {
  const { pathname } = new URL(request.url);
  const key = `${request.method} ${pathname}`;
  if (key === 'POST /notes') {
    const body = (await request.json().catch(() => null)) as { title?: unknown; content?: unknown } | null;
    if (!body || typeof body.title !== 'string' || body.title.trim() === '' || typeof body.content !== 'string') {
      return json({ error: 'Send JSON { "title": string, "content": string }; title must not be empty.' }, 400);
    }
    const id = crypto.randomUUID();
    await db.execute('INSERT INTO notes (id, title, content, created_at) VALUES (?, ?, ?, ?)', [id, body.title, body.content, new Date()]);
    return json({ id }, 201);
  }
  if (key === 'GET /notes') {
    return json(await db.query('SELECT id, title, content, created_at FROM notes ORDER BY created_at DESC, id LIMIT 100'));
  }
  if (key === 'GET /health/database') {
    const health = await checkHealth<DualWriteHealth>(db);
    return json({ ...health, metadata: db.getMetadata(), metrics: metrics.get(db.getMetrics()) }, health.ok ? 200 : 503);
  }
  if (key === 'GET /metrics') {
    return new Response(toPrometheus(metrics.get(db.getMetrics())), { headers: { 'content-type': 'text/plain; version=0.0.4' } });
  }
  if (key === 'POST /admin/switch-primary') {
    if (!env.ADMIN_TOKEN || request.headers.get('authorization') !== `Bearer ${env.ADMIN_TOKEN}`) {
      return json({ error: 'Send Authorization: Bearer <ADMIN_TOKEN> (set it with `wrangler secret put ADMIN_TOKEN`).' }, 401);
    }
    // Every isolate takes the new mode within a second; calling it again rolls back.
    return json(await db.switchPrimary());
  }
  return json({ error: `No route for ${key}.` }, 404);
}
