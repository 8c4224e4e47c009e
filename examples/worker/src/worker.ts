import { createD1Adapter } from '@switchyard/d1';
import { createDualWriteAdapter, toPrometheus, type DualWriteAdapter } from '@switchyard/dual-write';
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
  /** `d1` (default) or `postgres`: which side is primary when the isolate starts. */
  PRIMARY_DB?: string;
  /** Bearer token for `POST /admin/switch-primary`. */
  ADMIN_TOKEN?: string;
}

interface Ctx {
  waitUntil(promise: Promise<unknown>): void;
}

const metrics = new IsolateMetrics();
// The primary chosen by /admin/switch-primary, for this isolate. Set PRIMARY_DB and
// deploy to make a switch stick across isolates and restarts.
let switchedPrimary: 'd1' | 'postgres' | undefined;

const json = (body: unknown, status = 200) => Response.json(body, { status });

export default {
  async fetch(request: Request, env: Env, ctx: Ctx): Promise<Response> {
    const client = new pg.Client({ connectionString: env.HYPERDRIVE.connectionString });
    await client.connect();
    const primary = switchedPrimary ?? (env.PRIMARY_DB === 'postgres' ? 'postgres' : 'd1');
    const db = createDualWriteAdapter(createD1Adapter(env.DB), createPostgresAdapter(client, { closePool: true }), {
      mode: `primary-${primary}`,
      verifyWrites: true,
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
    return json({ metadata: db.getMetadata(), metrics: metrics.get(db.getMetrics()) });
  }
  if (key === 'GET /metrics') {
    return new Response(toPrometheus(metrics.get(db.getMetrics())), { headers: { 'content-type': 'text/plain; version=0.0.4' } });
  }
  if (key === 'POST /admin/switch-primary') {
    if (!env.ADMIN_TOKEN || request.headers.get('authorization') !== `Bearer ${env.ADMIN_TOKEN}`) {
      return json({ error: 'Send Authorization: Bearer <ADMIN_TOKEN> (set it with `wrangler secret put ADMIN_TOKEN`).' }, 401);
    }
    const metadata = await db.switchPrimary();
    switchedPrimary = metadata.primary === 'postgres' ? 'postgres' : 'd1';
    return json(metadata);
  }
  return json({ error: `No route for ${key}.` }, 404);
}
