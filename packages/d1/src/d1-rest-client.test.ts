import { ConnectionError, ConstraintError, QueryError, SwitchyardError, TransientError } from '@switchyard/core';
import { startD1RestServer, type TestD1RestServer } from '@switchyard/testkit/d1';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createD1Adapter, parseRetryAfter, type D1RestOptions } from './index';

describe('the D1 REST client', () => {
  let server: TestD1RestServer;
  const sent: number[] = [];
  // Records when each request leaves, then sends it for real.
  const timedFetch: typeof fetch = (input, init) => {
    sent.push(Date.now());
    return fetch(input, init);
  };
  const options = (extra: Partial<D1RestOptions> = {}): D1RestOptions => ({
    accountId: server.accountId,
    databaseId: server.databaseId,
    apiToken: server.apiToken,
    baseUrl: server.url,
    fetch: timedFetch,
    baseDelayMs: 20,
    ...extra,
  });

  beforeAll(async () => {
    server = await startD1RestServer();
  });
  afterAll(() => server.close());

  it('retries a 429 after the Retry-After seconds', async () => {
    const adapter = createD1Adapter(options());
    server.failNext(1, { status: 429, retryAfter: '1' });
    sent.length = 0;
    expect(await adapter.first('SELECT 1 AS one')).toEqual({ one: 1 });
    expect(sent).toHaveLength(2);
    expect(sent[1]! - sent[0]!).toBeGreaterThanOrEqual(950);
  });

  it('honours a Retry-After given as an HTTP date', async () => {
    const adapter = createD1Adapter(options());
    server.failNext(1, { status: 429, retryAfter: new Date(Date.now() + 1500).toUTCString() });
    sent.length = 0;
    expect(await adapter.first('SELECT 2 AS two')).toEqual({ two: 2 });
    expect(sent).toHaveLength(2);
    expect(sent[1]! - sent[0]!).toBeGreaterThanOrEqual(400);
  });

  it('retries 5xx with backoff, then succeeds', async () => {
    const adapter = createD1Adapter(options());
    server.failNext(2, { status: 500 });
    const before = server.requests;
    expect(await adapter.first('SELECT 3 AS three')).toEqual({ three: 3 });
    expect(server.requests - before).toBe(3);
  });

  it('gives up with a TransientError after maxAttempts', async () => {
    const adapter = createD1Adapter(options({ maxAttempts: 3 }));
    server.failNext(3, { status: 503 });
    const before = server.requests;
    const error = await adapter.query('SELECT 1').catch((e: unknown) => e);
    expect(error).toBeInstanceOf(TransientError);
    expect((error as Error).message).toMatch(/503.*3 attempts/);
    expect(server.requests - before).toBe(3);
  });

  it('does not retry a SQL error, and maps it to a typed error', async () => {
    const adapter = createD1Adapter(options());
    await adapter.execute('CREATE TABLE u (id INTEGER PRIMARY KEY, email TEXT UNIQUE)');
    await adapter.execute("INSERT INTO u (email) VALUES ('a@example.com')");
    const before = server.requests;
    const dup = await adapter.execute("INSERT INTO u (email) VALUES ('a@example.com')").catch((e: unknown) => e);
    expect(dup).toBeInstanceOf(ConstraintError);
    expect((dup as Error).message).toMatch(/UNIQUE constraint failed/);
    expect(await adapter.query('SELECT nope FROM u').catch((e: unknown) => e)).toBeInstanceOf(QueryError);
    expect(server.requests - before).toBe(2);
  });

  it('explains a rejected token, naming CLOUDFLARE_API_TOKEN, without retrying', async () => {
    const adapter = createD1Adapter(options({ apiToken: 'wrong' }));
    const before = server.requests;
    const error = await adapter.query('SELECT 1').catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ConnectionError);
    expect(error).toBeInstanceOf(SwitchyardError);
    expect((error as SwitchyardError).code).toBe('CONNECTION_FAILED');
    expect((error as Error).message).toMatch(/CLOUDFLARE_API_TOKEN/);
    expect(server.requests - before).toBe(1);
  });

  it('explains an unknown database', async () => {
    const adapter = createD1Adapter(options({ databaseId: 'missing' }));
    await expect(adapter.query('SELECT 1')).rejects.toThrow(/databaseId/);
  });

  it('keeps to its rate-limit window', async () => {
    const adapter = createD1Adapter(options({ rateLimit: { requests: 3, windowMs: 400 } }));
    // The first fetch of a process sets up its HTTP client, which would delay the stamps of
    // the requests behind it: a request outside the limited adapter pays that first.
    await createD1Adapter(options({ rateLimit: false })).query('SELECT 1');
    sent.length = 0;
    await Promise.all(Array.from({ length: 7 }, (_, i) => adapter.query('SELECT ? AS i', [i])));
    expect(sent).toHaveLength(7);
    // Any four consecutive requests span at least one window.
    for (let i = 3; i < sent.length; i++) expect(sent[i]! - sent[i - 3]!).toBeGreaterThanOrEqual(400);
  });

  it('sends a batch as one request', async () => {
    const adapter = createD1Adapter(options());
    const before = server.requests;
    const results = await adapter.batch([{ sql: 'SELECT 1 AS a' }, { sql: 'SELECT 2 AS b' }]);
    expect(results.map((r) => r.rows)).toEqual([[{ a: 1 }], [{ b: 2 }]]);
    expect(server.requests - before).toBe(1);
  });

  it('parses Retry-After as seconds or an HTTP date', () => {
    expect(parseRetryAfter('2')).toBe(2000);
    expect(parseRetryAfter(null)).toBeUndefined();
    expect(parseRetryAfter('soon')).toBeUndefined();
    expect(parseRetryAfter(new Date(Date.now() - 5000).toUTCString())).toBe(0);
  });

  it('never puts the API token in an error, its cause or its JSON, even when a proxy echoes the Authorization header', async () => {
    // A misconfigured proxy in front of the API answers with the request headers it got.
    const echo: typeof fetch = async (_input, init) => {
      const auth = new Headers(init?.headers).get('authorization');
      return new Response(`bad gateway; request had authorization: ${auth}; token=${server.apiToken}`, { status: 502 });
    };
    const adapter = createD1Adapter(options({ fetch: echo, maxAttempts: 1 }));
    const error = (await adapter.query('SELECT 1').catch((e: unknown) => e)) as SwitchyardError;
    expect(error).toBeInstanceOf(TransientError);
    const everything = [
      error.message,
      String(error.stack),
      JSON.stringify(error),
      JSON.stringify(error.cause),
      String((error.cause as Error)?.message),
    ];
    for (const text of everything) expect(text).not.toContain(server.apiToken);
    expect(error.message).toContain('[redacted]');
  });
});
